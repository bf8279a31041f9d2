// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {ERC20PermitUpgradeable} from
    "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {InvestorRecord} from "../compliance/InvestorRecord.sol";
import {IComplianceRegistry} from "../interfaces/IComplianceRegistry.sol";
import {IERC1404} from "../interfaces/IERC1404.sol";
import {IERC7943Fungible} from "../interfaces/IERC7943.sol";
import {IScaledUIAmount, IScaledUIAmountNewUIMultiplier} from "../interfaces/IScaledUIAmount.sol";
import {IStockToken} from "../interfaces/IStockToken.sol";
import {IStockTokenFactory} from "../interfaces/IStockTokenFactory.sol";

/// @title StockToken
/// @notice One ERC-20 per underlying stock, backed 1:1 by shares in custody, transferable only
/// between wallets the shared {IComplianceRegistry} clears under this token's policy.
/// Deployed as beacon proxies by {StockTokenFactory}; one beacon upgrades every ticker.
/// @dev Deliberate deviations and invariants:
/// - Raw balances never change on a corporate action. One raw token stands for
///   `uiMultiplier / 1e18` shares (ERC-8056); UI amount = raw * uiMultiplier / 1e18, rounded down.
///   The transfer path never reads the multiplier.
/// - Every balance change funnels through {_update}, the only place the rules are enforced;
///   {detectTransferRestriction} (ERC-1404) and {canTransfer} (ERC-7943) evaluate the same
///   party rules through {_partyCode}, so they answer exactly as the hook does.
/// - Agents' forced transfers and recoveries bypass the sender's rules (not the receiver's) and
///   the pause, by calling ERC20Upgradeable._update directly.
/// - Agents' forced transfers and recoveries respect the receiver's holding cap as {_update} does.
/// - Minting never takes supply in shares (rounded up) above the custodian's attested reserve,
///   counted from an answer no older than the multiplier in force; while a multiplier change is
///   scheduled, supply counts at the larger of the two multipliers.
/// - The factory's symbol register follows renames: {scheduleNameChange} reserves the new symbol.
contract StockToken is
    Initializable,
    ERC20Upgradeable,
    ERC20PermitUpgradeable,
    AccessControlUpgradeable,
    IStockToken,
    IERC1404,
    IERC7943Fungible,
    IScaledUIAmount,
    IScaledUIAmountNewUIMultiplier
{
    using InvestorRecord for uint256;

    // ------------------------------------------------------------------------------------------
    // Roles and constants

    /// @notice May mint to verified holders, within the reserve.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice May burn its own tokens, or a holder's within an allowance.
    bytes32 public constant BURNER_ROLE = keccak256("BURNER_ROLE");
    /// @notice May force transfers, recover lost wallets and freeze amounts.
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");
    /// @notice May pause and unpause every transfer, mint and burn.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice May change the holding policy and the reserve feed.
    bytes32 public constant COMPLIANCE_ROLE = keccak256("COMPLIANCE_ROLE");
    /// @notice May schedule and cancel ERC-8056 multiplier changes and name changes (corporate
    /// actions).
    bytes32 public constant CORPORATE_ACTIONS_ROLE = keccak256("CORPORATE_ACTIONS_ROLE");

    /// @notice A multiplier of 1.0.
    uint256 public constant MULTIPLIER_ONE = 1e18;
    /// @notice The largest multiplier accepted (1e18 splits' worth of headroom, no overflow).
    uint256 public constant MAX_MULTIPLIER = 1e36;
    /// @notice The most blocked jurisdictions a policy may list.
    uint256 public constant MAX_BLOCKED_JURISDICTIONS = 64;

    // ERC-1404 restriction codes.
    uint8 public constant SUCCESS = 0;
    uint8 public constant TOKEN_PAUSED = 1;
    uint8 public constant SENDER_NOT_VERIFIED = 2;
    uint8 public constant RECEIVER_NOT_VERIFIED = 3;
    uint8 public constant SENDER_KYC_EXPIRED = 4;
    uint8 public constant RECEIVER_KYC_EXPIRED = 5;
    uint8 public constant SENDER_FROZEN = 6;
    uint8 public constant RECEIVER_FROZEN = 7;
    uint8 public constant SENDER_JURISDICTION_BLOCKED = 8;
    uint8 public constant RECEIVER_JURISDICTION_BLOCKED = 9;
    uint8 public constant SENDER_CLASS_NOT_ALLOWED = 10;
    uint8 public constant RECEIVER_CLASS_NOT_ALLOWED = 11;
    uint8 public constant HOLDING_CAP_EXCEEDED = 12;
    uint8 public constant INSUFFICIENT_UNFROZEN_BALANCE = 13;
    uint8 public constant INSUFFICIENT_BALANCE = 14;
    uint8 public constant SENDER_US_PERSON = 15;
    uint8 public constant RECEIVER_US_PERSON = 16;

    /// @notice The investor register every token of the family obeys (an immutable of the
    /// shared implementation, so it costs no storage read on the transfer path).
    IComplianceRegistry public immutable REGISTRY;

    // ------------------------------------------------------------------------------------------
    // Storage

    /// @dev The transfer path's whole per-token state: one slot.
    struct Policy {
        bool paused;
        bool blockUSPersons;
        uint8 minInvestorClass;
        uint8 blockedCount; // codes in blocked0..3, then in extraBlocked
        uint32 frozenHolders; // accounts with a non-zero partial freeze: none, no freeze read
        uint128 holdingCap; // raw units per wallet, 0 = none
        uint16 blocked0;
        uint16 blocked1;
        uint16 blocked2;
        uint16 blocked3;
    }

    /// @custom:storage-location erc7201:stocks.storage.StockToken
    struct StockTokenStorage {
        Policy policy;
        uint16[] extraBlocked;
        mapping(address holder => uint256) frozen;
        // ERC-8056: `uiMultiplier` until `effectiveAt`, `newUIMultiplier` from then on.
        uint128 uiMultiplier;
        uint128 newUIMultiplier;
        uint64 effectiveAt;
        uint64 multiplierNonce;
        uint8 decimals;
        // In the free tail of the slot above (effectiveAt, multiplierNonce, decimals: 17 of 32
        // bytes), so no field moves; read and written with effectiveAt. When `uiMultiplier` took
        // effect (0: at initialization); `newUIMultiplier`'s time is `effectiveAt`.
        uint64 multiplierSince;
        AggregatorV3Interface reserveFeed;
        uint32 reserveMaxAge;
        SecurityInfo security;
        // CHAN (name changes), oldest first; the last one may still be scheduled. Before the
        // first takes effect: the name, symbol and ticker given at initialization.
        NameChange[] nameChanges;
        // Appended: the factory that created the token, whose symbol register renames reserve
        // in (zero for tokens initialized before it was recorded: their renames skip it).
        IStockTokenFactory factory;
    }

    // keccak256(abi.encode(uint256(keccak256("stocks.storage.StockToken")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x13d262da5b380b3dff33fb0ee6177f0fc7d056bd8fa93a34e71c56a0892f0500;

    // ------------------------------------------------------------------------------------------
    // Construction

    /// @custom:oz-upgrades-unsafe-allow constructor state-variable-immutable
    /// @param registry The compliance registry shared by every token of this implementation.
    constructor(IComplianceRegistry registry) {
        if (address(registry) == address(0)) revert ZeroAddress();
        REGISTRY = registry;
        _disableInitializers();
    }

    /// @notice Sets up a ticker behind its beacon proxy; `admin` gets DEFAULT_ADMIN_ROLE. The
    /// caller (the factory creating the proxy) becomes the register its renames reserve symbols in.
    /// @param config Name, symbol, security data, reserve feed and policy.
    /// @param admin The token's first administrator (grants the operational roles).
    function initialize(TokenConfig calldata config, address admin) external initializer {
        if (admin == address(0)) revert ZeroAddress();
        if (config.decimals > 36) revert InvalidPolicy(5);
        __ERC20_init(config.name, config.symbol);
        __ERC20Permit_init(config.name);
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);

        StockTokenStorage storage $ = _getStorage();
        $.decimals = config.decimals;
        $.factory = IStockTokenFactory(msg.sender);
        $.uiMultiplier = uint128(MULTIPLIER_ONE);
        $.newUIMultiplier = uint128(MULTIPLIER_ONE);
        SecurityInfo storage security = $.security;
        security.underlyingTicker = config.underlyingTicker;
        security.isin = config.isin;
        security.cusip = config.cusip;
        security.issuerName = config.issuerName;
        security.termsURI = config.termsURI;
        _setReserveFeed(config.reserveFeed, config.reserveMaxAge);
        _setPolicy(config.minInvestorClass, config.blockUSPersons, config.holdingCap, config.blockedJurisdictions);
    }

    // ------------------------------------------------------------------------------------------
    // Issuer operations

    /// @notice Mints `amount` raw tokens to a verified holder, within the attested reserve.
    /// @param to Receiver (must pass the receiver rules).
    /// @param amount Raw amount.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _checkReserve(totalSupply() + amount);
        _mint(to, amount);
    }

    /// @notice Mints to many verified holders at once, one reserve check for the whole batch.
    /// @param to Receivers (each must pass the receiver rules).
    /// @param amounts Raw amounts, same order.
    function mintBatch(address[] calldata to, uint256[] calldata amounts) external onlyRole(MINTER_ROLE) {
        if (to.length != amounts.length) revert BatchLengthMismatch(to.length, amounts.length);
        uint256 total = 0;
        for (uint256 i; i < amounts.length; ++i) {
            total += amounts[i];
        }
        _checkReserve(totalSupply() + total);
        for (uint256 i; i < to.length; ++i) {
            _mint(to[i], amounts[i]);
        }
    }

    /// @notice Burns `amount` of the caller's own tokens (e.g. the redemption vault's).
    /// @param amount Raw amount.
    function burn(uint256 amount) external onlyRole(BURNER_ROLE) {
        _burn(msg.sender, amount);
    }

    /// @notice Burns `amount` of `from`'s tokens within the allowance `from` gave the caller.
    /// @param from The holder.
    /// @param amount Raw amount.
    function burnFrom(address from, uint256 amount) external onlyRole(BURNER_ROLE) {
        _spendAllowance(from, msg.sender, amount);
        _burn(from, amount);
    }

    /// @notice Stops every transfer, mint and burn (agents' forced transfers still work).
    function pause() external onlyRole(PAUSER_ROLE) {
        _getStorage().policy.paused = true;
        emit PauseChanged(msg.sender, true);
    }

    /// @notice Lifts a pause.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _getStorage().policy.paused = false;
        emit PauseChanged(msg.sender, false);
    }

    /// @notice Whether the token is paused.
    function paused() external view returns (bool) {
        return _getStorage().policy.paused;
    }

    /// @notice Replaces the holding policy.
    /// @param minInvestorClass Lowest investor class allowed (0..4).
    /// @param blockUSPersons Whether US persons are refused.
    /// @param holdingCap Largest raw balance per wallet (0 none).
    /// @param blockedJurisdictions ISO 3166-1 numeric codes refused (at most 64).
    function setPolicy(
        uint8 minInvestorClass,
        bool blockUSPersons,
        uint128 holdingCap,
        uint16[] calldata blockedJurisdictions
    ) external onlyRole(COMPLIANCE_ROLE) {
        _setPolicy(minInvestorClass, blockUSPersons, holdingCap, blockedJurisdictions);
    }

    /// @notice Replaces the proof-of-reserve feed and its staleness bound.
    /// @param feed Chainlink-style feed reporting shares in custody.
    /// @param maxAge Oldest answer accepted, seconds (1..30 days).
    function setReserveFeed(address feed, uint32 maxAge) external onlyRole(COMPLIANCE_ROLE) {
        _setReserveFeed(feed, maxAge);
    }

    /// @notice Points to new terms or a prospectus supplement.
    /// @param termsURI The new URI.
    function setTermsURI(string calldata termsURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _getStorage().security.termsURI = termsURI;
        emit TermsURIUpdated(termsURI);
    }

    // ------------------------------------------------------------------------------------------
    // Agent operations (ERC-7943 and recovery)

    /// @inheritdoc IERC7943Fungible
    function forcedTransfer(address from, address to, uint256 amount) external onlyRole(AGENT_ROLE) returns (bool) {
        _forcedTransfer(from, to, amount);
        return true;
    }

    /// @notice {forcedTransfer} with the reason recorded on-chain.
    /// @param from Source.
    /// @param to Destination (must pass the receiver rules and stay within the holding cap).
    /// @param amount Raw amount.
    /// @param reason Why (court order, regulator, ...).
    function forcedTransferWithReason(address from, address to, uint256 amount, string calldata reason)
        external
        onlyRole(AGENT_ROLE)
        returns (bool)
    {
        _forcedTransfer(from, to, amount);
        emit ForcedTransferReason(from, to, amount, reason);
        return true;
    }

    /// @notice Moves everything a lost wallet holds, frozen amount included, to another wallet of
    /// the same investor (linked in the registry by investor id).
    /// @param lost The wallet whose key is lost.
    /// @param replacement The investor's new wallet (must pass the receiver rules and stay within
    /// the holding cap).
    /// @param reason Why.
    function recoverWallet(address lost, address replacement, string calldata reason) external onlyRole(AGENT_ROLE) {
        if (!REGISTRY.sameInvestor(lost, replacement)) revert RecoveryNotSameInvestor(lost, replacement);
        uint256 amount = balanceOf(lost);
        _requireCanReceive(lost, replacement, amount);
        StockTokenStorage storage $ = _getStorage();
        uint256 frozenAmount = $.frozen[lost];
        if (frozenAmount != 0) {
            _setFrozen(lost, 0);
            _setFrozen(replacement, $.frozen[replacement] + frozenAmount);
        }
        ERC20Upgradeable._update(lost, replacement, amount);
        emit WalletRecovered(lost, replacement, amount, frozenAmount, reason);
    }

    /// @inheritdoc IERC7943Fungible
    function setFrozenTokens(address account, uint256 amount) external onlyRole(AGENT_ROLE) returns (bool) {
        if (account == address(0)) revert ZeroAddress();
        _setFrozen(account, amount);
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // CHAN: name, symbol and underlying ticker changes (driven by the corporate-actions contract)

    /// @notice Schedules new names; they replace the current ones at `effectiveAtTimestamp` with
    /// no transaction. The EIP-712 (permit) domain keeps the name given at initialization, so
    /// signatures in flight stay valid; wallets read it from {eip712Domain} (ERC-5267). The new
    /// symbol is reserved in the factory's register now (refused with its `SymbolTaken` when
    /// another ticker holds it); the old one stays registered to this token.
    /// @param newNames The ERC-20 name and symbol and the underlying ticker (none empty).
    /// @param effectiveAtTimestamp When they apply (now or later).
    function scheduleNameChange(Names calldata newNames, uint256 effectiveAtTimestamp)
        external
        onlyRole(CORPORATE_ACTIONS_ROLE)
    {
        NameChange[] storage changes = _getStorage().nameChanges;
        uint256 n = changes.length;
        if (n != 0 && block.timestamp < changes[n - 1].effectiveAt) revert NameChangePending(changes[n - 1].effectiveAt);
        if (effectiveAtTimestamp < block.timestamp) revert EffectiveAtInPast(effectiveAtTimestamp);
        if (bytes(newNames.name).length == 0 || bytes(newNames.symbol).length == 0
            || bytes(newNames.underlyingTicker).length == 0) revert InvalidNames();
        NameChange storage change = changes.push();
        change.names.name = newNames.name;
        change.names.symbol = newNames.symbol;
        change.names.underlyingTicker = newNames.underlyingTicker;
        change.effectiveAt = effectiveAtTimestamp;
        emit NameChangeScheduled(newNames.name, newNames.symbol, newNames.underlyingTicker, effectiveAtTimestamp);
        IStockTokenFactory factory = _getStorage().factory;
        if (address(factory) != address(0)) factory.reserveSymbol(newNames.symbol);
    }

    /// @notice Withdraws the scheduled name change before it takes effect; a symbol it reserved
    /// in the factory's register is freed.
    /// @param effectiveAtTimestamp The scheduled time (guards against cancelling another change).
    function cancelNameChange(uint256 effectiveAtTimestamp) external onlyRole(CORPORATE_ACTIONS_ROLE) {
        NameChange[] storage changes = _getStorage().nameChanges;
        uint256 n = changes.length;
        if (n == 0 || changes[n - 1].effectiveAt != effectiveAtTimestamp || block.timestamp >= effectiveAtTimestamp) {
            revert NoNameChangePending();
        }
        changes.pop();
        emit NameChangeCancelled(effectiveAtTimestamp);
        IStockTokenFactory factory = _getStorage().factory;
        if (address(factory) != address(0)) factory.releaseSymbol();
    }

    /// @notice The token's name: the latest name change (CHAN) in force, else the name given at
    /// initialization (which the EIP-712 permit domain keeps).
    function name() public view override returns (string memory) {
        uint256 n = _namesInForce();
        return n == 0 ? super.name() : _getStorage().nameChanges[n - 1].names.name;
    }

    /// @notice The token's symbol: the latest name change (CHAN) in force, else the initial one.
    function symbol() public view override returns (string memory) {
        uint256 n = _namesInForce();
        return n == 0 ? super.symbol() : _getStorage().nameChanges[n - 1].names.symbol;
    }

    // ------------------------------------------------------------------------------------------
    // ERC-8056 multiplier (driven by the corporate-actions contract)

    /// @notice Schedules a new multiplier, guarded against stale or repeated updates.
    /// @param newMultiplier The multiplier from `effectiveAtTimestamp` on (18 decimals).
    /// @param effectiveAtTimestamp When it applies (now or later); no transaction is needed then.
    /// @param expectedCurrent The multiplier the caller believes is in force.
    /// @param nonce The token's {multiplierNonce}; each update or cancel increments it.
    function updateUIMultiplier(
        uint256 newMultiplier,
        uint256 effectiveAtTimestamp,
        uint256 expectedCurrent,
        uint64 nonce
    ) external onlyRole(CORPORATE_ACTIONS_ROLE) {
        _scheduleMultiplier(newMultiplier, effectiveAtTimestamp, expectedCurrent, nonce);
    }

    /// @inheritdoc IScaledUIAmount
    /// @dev Unguarded form required by ERC-8056; prefer {updateUIMultiplier}.
    function setUIMultiplier(uint256 newMultiplier, uint256 effectiveAtTimestamp)
        external
        onlyRole(CORPORATE_ACTIONS_ROLE)
    {
        StockTokenStorage storage $ = _getStorage();
        _scheduleMultiplier(newMultiplier, effectiveAtTimestamp, uiMultiplier(), $.multiplierNonce);
    }

    /// @notice Cancels a scheduled multiplier change before it takes effect. A cancel is no
    /// change: {effectiveAt} goes back to when the multiplier in force took effect, so reserve
    /// answers posted since then still count.
    /// @param nonce The token's {multiplierNonce}.
    function cancelUIMultiplierUpdate(uint64 nonce) external onlyRole(CORPORATE_ACTIONS_ROLE) {
        StockTokenStorage storage $ = _getStorage();
        if (nonce != $.multiplierNonce) revert MultiplierNonceMismatch($.multiplierNonce, nonce);
        if (block.timestamp >= $.effectiveAt) revert NoMultiplierUpdatePending();
        uint256 current = $.uiMultiplier;
        emit UIMultiplierUpdateCancelled($.newUIMultiplier, $.effectiveAt);
        $.newUIMultiplier = uint128(current);
        $.effectiveAt = $.multiplierSince;
        $.multiplierNonce = nonce + 1;
        emit UIMultiplierUpdated(current, current, block.timestamp, block.timestamp);
    }

    /// @inheritdoc IScaledUIAmount
    function uiMultiplier() public view returns (uint256) {
        return uiMultiplierAt(block.timestamp);
    }

    /// @inheritdoc IScaledUIAmountNewUIMultiplier
    function newUIMultiplier() external view returns (uint256) {
        return _getStorage().newUIMultiplier;
    }

    /// @inheritdoc IScaledUIAmountNewUIMultiplier
    function effectiveAt() external view returns (uint256) {
        return _getStorage().effectiveAt;
    }

    /// @notice The nonce the next multiplier update or cancel must carry.
    function multiplierNonce() external view returns (uint64) {
        return _getStorage().multiplierNonce;
    }

    /// @notice The multiplier in force at `timestamp` given what is scheduled now.
    /// @param timestamp Any time (past values are only right if nothing changed since).
    function uiMultiplierAt(uint256 timestamp) public view returns (uint256) {
        StockTokenStorage storage $ = _getStorage();
        return timestamp >= $.effectiveAt ? $.newUIMultiplier : $.uiMultiplier;
    }

    /// @inheritdoc IScaledUIAmount
    function toUIAmount(uint256 rawAmount) public view returns (uint256) {
        return Math.mulDiv(rawAmount, uiMultiplier(), MULTIPLIER_ONE);
    }

    /// @inheritdoc IScaledUIAmount
    function fromUIAmount(uint256 uiAmount) external view returns (uint256) {
        return Math.mulDiv(uiAmount, MULTIPLIER_ONE, uiMultiplier());
    }

    /// @inheritdoc IScaledUIAmount
    function balanceOfUI(address account) external view returns (uint256) {
        return toUIAmount(balanceOf(account));
    }

    /// @notice Total supply in shares (UI amount, rounded down).
    function totalSupplyUI() external view returns (uint256) {
        return toUIAmount(totalSupply());
    }

    // ------------------------------------------------------------------------------------------
    // Views: compliance (ERC-1404, ERC-7943) and metadata

    /// @inheritdoc IERC1404
    function detectTransferRestriction(address from, address to, uint256 value) public view returns (uint8) {
        StockTokenStorage storage $ = _getStorage();
        Policy memory policy = $.policy;
        if (policy.paused) return TOKEN_PAUSED;
        (uint256 fromRecord, uint256 toRecord) = REGISTRY.transferRecords(from, to);
        uint8 code = _partyCode(policy, from, fromRecord, to, toRecord);
        if (code != SUCCESS) return code;
        if (from != address(0)) {
            uint256 balance = balanceOf(from);
            if (value > balance) return INSUFFICIENT_BALANCE;
            if (policy.frozenHolders != 0 && value > _unfrozen(balance, $.frozen[from])) {
                return INSUFFICIENT_UNFROZEN_BALANCE;
            }
        }
        if (_exceedsCap(policy, from, to, toRecord, value)) return HOLDING_CAP_EXCEEDED;
        return SUCCESS;
    }

    /// @inheritdoc IERC1404
    function messageForTransferRestriction(uint8 restrictionCode) external pure returns (string memory) {
        if (restrictionCode == SUCCESS) return "No restriction";
        if (restrictionCode == TOKEN_PAUSED) return "Token is paused";
        if (restrictionCode == HOLDING_CAP_EXCEEDED) return "Receiver would exceed the holding cap";
        if (restrictionCode == INSUFFICIENT_UNFROZEN_BALANCE) return "Amount exceeds the sender's unfrozen balance";
        if (restrictionCode == INSUFFICIENT_BALANCE) return "Amount exceeds the sender's balance";
        if (restrictionCode > RECEIVER_US_PERSON) return "Unknown restriction code";
        // The party codes come in pairs: sender 2k, receiver 2k + 1 (2..11), and 15/16.
        uint8 pair = restrictionCode >= SENDER_US_PERSON ? SENDER_US_PERSON : restrictionCode & ~uint8(1);
        string memory reason = " is a US person";
        if (pair == SENDER_NOT_VERIFIED) reason = " is not a verified investor";
        else if (pair == SENDER_KYC_EXPIRED) reason = "'s KYC has expired";
        else if (pair == SENDER_FROZEN) reason = " is frozen";
        else if (pair == SENDER_JURISDICTION_BLOCKED) reason = "'s jurisdiction is blocked for this token";
        else if (pair == SENDER_CLASS_NOT_ALLOWED) reason = "'s investor class is not allowed";
        return string.concat(restrictionCode == pair ? "Sender" : "Receiver", reason);
    }

    /// @inheritdoc IERC7943Fungible
    function canTransfer(address from, address to, uint256 amount) external view returns (bool) {
        return detectTransferRestriction(from, to, amount) == SUCCESS;
    }

    /// @inheritdoc IERC7943Fungible
    function canSend(address account) public view returns (bool) {
        return _partyCode(_getStorage().policy, account, REGISTRY.recordOf(account), address(0), 0) == SUCCESS;
    }

    /// @inheritdoc IERC7943Fungible
    function canReceive(address account) public view returns (bool) {
        return _partyCode(_getStorage().policy, address(0), 0, account, REGISTRY.recordOf(account)) == SUCCESS;
    }

    /// @notice Whether `account` may both send and receive (the name earlier ERC-7943 drafts used).
    /// @param account The account.
    function canTransact(address account) external view returns (bool) {
        return canSend(account) && canReceive(account);
    }

    /// @inheritdoc IERC7943Fungible
    function getFrozenTokens(address account) external view returns (uint256) {
        return _getStorage().frozen[account];
    }

    /// @notice The holding policy in force.
    function policy()
        external
        view
        returns (uint8 minInvestorClass, bool blockUSPersons, uint128 holdingCap, uint16[] memory blockedJurisdictions)
    {
        StockTokenStorage storage $ = _getStorage();
        Policy memory p = $.policy;
        return (p.minInvestorClass, p.blockUSPersons, p.holdingCap, _blockedList(p, $.extraBlocked));
    }

    /// @notice The proof-of-reserve feed and its staleness bound.
    function reserveFeed() external view returns (address feed, uint32 maxAge) {
        StockTokenStorage storage $ = _getStorage();
        return (address($.reserveFeed), $.reserveMaxAge);
    }

    /// @notice Shares in custody as the reserve feed reports them, in token decimals. Refuses an
    /// answer older than `reserveMaxAge` or than the multiplier in force (a split or reverse
    /// split changes the custodian's count: an answer from before it counts other shares).
    function reserveShares() public view returns (uint256) {
        StockTokenStorage storage $ = _getStorage();
        AggregatorV3Interface feed = $.reserveFeed;
        // slither-disable-next-line unused-return -- only the answer and its time matter here
        (, int256 answer,, uint256 updatedAt,) = feed.latestRoundData();
        if (answer <= 0) revert InvalidReserve(answer);
        if (block.timestamp > updatedAt + $.reserveMaxAge) revert StaleReserve(updatedAt, $.reserveMaxAge);
        uint256 since = block.timestamp >= $.effectiveAt ? $.effectiveAt : $.multiplierSince;
        if (updatedAt < since) revert ReserveBeforeMultiplierChange(updatedAt, since);
        return Math.mulDiv(uint256(answer), 10 ** $.decimals, 10 ** feed.decimals());
    }

    /// @notice The security behind the token: ticker (after any name change in force), ISIN,
    /// CUSIP, issuer, terms.
    function securityInfo() external view returns (SecurityInfo memory info) {
        SecurityInfo storage security = _getStorage().security;
        uint256 n = _namesInForce();
        info.underlyingTicker = n == 0 ? security.underlyingTicker : _getStorage().nameChanges[n - 1].names.underlyingTicker;
        info.isin = security.isin;
        info.cusip = security.cusip;
        info.issuerName = security.issuerName;
        info.termsURI = security.termsURI;
    }

    /// @inheritdoc ERC20Upgradeable
    function decimals() public view override returns (uint8) {
        return _getStorage().decimals;
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(AccessControlUpgradeable, IERC165)
        returns (bool)
    {
        return interfaceId == type(IERC7943Fungible).interfaceId || interfaceId == type(IERC1404).interfaceId
            || interfaceId == type(IScaledUIAmount).interfaceId
            || interfaceId == type(IScaledUIAmountNewUIMultiplier).interfaceId || interfaceId == type(IERC20).interfaceId
            || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------------------------------
    // The hook

    /// @dev The one place the rules are enforced for transfers, mints and burns.
    function _update(address from, address to, uint256 value) internal override {
        StockTokenStorage storage $ = _getStorage();
        Policy memory policy = $.policy;
        if (policy.paused) _revertRestricted(from, to, value, TOKEN_PAUSED);
        (uint256 fromRecord, uint256 toRecord) = REGISTRY.transferRecords(from, to);
        uint8 code = _partyCode(policy, from, fromRecord, to, toRecord);
        if (code != SUCCESS) _revertRestricted(from, to, value, code);
        if (policy.frozenHolders != 0 && from != address(0)) {
            uint256 balance = balanceOf(from);
            uint256 unfrozen = _unfrozen(balance, $.frozen[from]);
            // Above the balance is ERC-20's own error, raised by super._update.
            if (value <= balance && value > unfrozen) {
                revert ERC7943InsufficientUnfrozenBalance(from, value, unfrozen);
            }
        }
        super._update(from, to, value);
        if (policy.holdingCap != 0 && to != address(0) && !toRecord.has(InvestorRecord.CONTRACT_ACCOUNT)) {
            if (balanceOf(to) > policy.holdingCap) _revertRestricted(from, to, value, HOLDING_CAP_EXCEEDED);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Internal

    /// @dev The party rules: sender's when `from` is set, receiver's when `to` is set.
    function _partyCode(Policy memory policy, address from, uint256 fromRecord, address to, uint256 toRecord)
        private
        view
        returns (uint8)
    {
        if (from != address(0)) {
            uint8 code = _accountCode(policy, fromRecord);
            if (code != SUCCESS) return code; // sender codes are the even receiver code - 1
        }
        if (to != address(0)) {
            uint8 code = _accountCode(policy, toRecord);
            if (code != SUCCESS) return code == SENDER_US_PERSON ? RECEIVER_US_PERSON : code + 1;
        }
        return SUCCESS;
    }

    /// @dev One account's rules, as the sender's code (receiver codes follow each by one, except
    /// the US-person pair).
    function _accountCode(Policy memory policy, uint256 record) private view returns (uint8) {
        if (!record.has(InvestorRecord.VERIFIED)) return SENDER_NOT_VERIFIED;
        if (record.kycExpiry() <= block.timestamp) return SENDER_KYC_EXPIRED;
        if (record.has(InvestorRecord.FROZEN)) return SENDER_FROZEN;
        if (record.has(InvestorRecord.CONTRACT_ACCOUNT)) return SUCCESS;
        if (policy.blockUSPersons && record.has(InvestorRecord.US_PERSON)) return SENDER_US_PERSON;
        if (policy.blockedCount != 0 && _isBlocked(policy, record.jurisdiction())) return SENDER_JURISDICTION_BLOCKED;
        if (record.investorClass() < policy.minInvestorClass) return SENDER_CLASS_NOT_ALLOWED;
        return SUCCESS;
    }

    function _isBlocked(Policy memory policy, uint16 jurisdiction) private view returns (bool) {
        if (jurisdiction == policy.blocked0 || jurisdiction == policy.blocked1) return true;
        if (jurisdiction == policy.blocked2 || jurisdiction == policy.blocked3) return true;
        if (policy.blockedCount <= 4) return false;
        uint16[] storage extra = _getStorage().extraBlocked;
        for (uint256 i; i < extra.length; ++i) {
            if (extra[i] == jurisdiction) return true;
        }
        return false;
    }

    function _exceedsCap(Policy memory policy, address from, address to, uint256 toRecord, uint256 value)
        private
        view
        returns (bool)
    {
        if (policy.holdingCap == 0 || to == address(0) || toRecord.has(InvestorRecord.CONTRACT_ACCOUNT)) return false;
        uint256 after_ = from == to ? balanceOf(to) : balanceOf(to) + value;
        return after_ > policy.holdingCap;
    }

    function _unfrozen(uint256 balance, uint256 frozenAmount) private pure returns (uint256) {
        return balance > frozenAmount ? balance - frozenAmount : 0;
    }

    function _forcedTransfer(address from, address to, uint256 amount) private {
        if (from == address(0) || to == address(0)) revert ZeroAddress();
        _requireCanReceive(from, to, amount);
        StockTokenStorage storage $ = _getStorage();
        uint256 balance = balanceOf(from);
        uint256 frozenAmount = $.frozen[from];
        uint256 unfrozen = _unfrozen(balance, frozenAmount);
        if (amount > unfrozen && amount <= balance) {
            // Frozen tokens taken by an agent stop being frozen (ERC-7943 guidance).
            _setFrozen(from, frozenAmount - (amount - unfrozen));
        }
        ERC20Upgradeable._update(from, to, amount);
        emit ForcedTransfer(from, to, amount);
    }

    /// @dev The receiver rules and the holding cap, as {_update} applies them to the same move.
    function _requireCanReceive(address from, address to, uint256 amount) private view {
        Policy memory policy = _getStorage().policy;
        uint256 toRecord = REGISTRY.recordOf(to);
        if (_partyCode(policy, address(0), 0, to, toRecord) != SUCCESS) revert ERC7943CannotReceive(to);
        if (_exceedsCap(policy, from, to, toRecord, amount)) {
            _revertRestricted(from, to, amount, HOLDING_CAP_EXCEEDED);
        }
    }

    function _setFrozen(address account, uint256 amount) private {
        StockTokenStorage storage $ = _getStorage();
        uint256 previous = $.frozen[account];
        if (previous == amount) return;
        if (previous == 0) ++$.policy.frozenHolders;
        else if (amount == 0) --$.policy.frozenHolders;
        $.frozen[account] = amount;
        emit Frozen(account, amount);
    }

    /// @dev Supply in shares at the multiplier in force, or at the larger of the two while a
    /// change is scheduled (an answer posted meanwhile may count either side of it).
    function _checkReserve(uint256 supplyAfter) private view {
        uint256 reserve = reserveShares();
        StockTokenStorage storage $ = _getStorage();
        uint256 multiplier = $.newUIMultiplier;
        if (block.timestamp < $.effectiveAt) multiplier = Math.max(multiplier, $.uiMultiplier);
        uint256 supplyShares = Math.mulDiv(supplyAfter, multiplier, MULTIPLIER_ONE, Math.Rounding.Ceil);
        if (supplyShares > reserve) revert ReserveExceeded(supplyShares, reserve);
    }

    /// @dev How many name changes are in force: the names now are those of the last of them,
    /// or those given at initialization when there is none.
    function _namesInForce() private view returns (uint256 n) {
        NameChange[] storage changes = _getStorage().nameChanges;
        n = changes.length;
        if (n != 0 && block.timestamp < changes[n - 1].effectiveAt) --n; // the last is only scheduled
    }

    function _scheduleMultiplier(uint256 newMultiplier, uint256 effectiveAtTimestamp, uint256 expected, uint64 nonce)
        private
    {
        StockTokenStorage storage $ = _getStorage();
        if (nonce != $.multiplierNonce) revert MultiplierNonceMismatch($.multiplierNonce, nonce);
        if (block.timestamp < $.effectiveAt) revert MultiplierUpdatePending($.effectiveAt);
        if (newMultiplier == 0 || newMultiplier > MAX_MULTIPLIER) revert InvalidMultiplier(newMultiplier);
        if (effectiveAtTimestamp < block.timestamp || effectiveAtTimestamp > type(uint64).max) {
            revert EffectiveAtInPast(effectiveAtTimestamp);
        }
        uint256 current = $.newUIMultiplier; // in force: no update is pending
        if (expected != current) revert MultiplierMismatch(expected, current);
        $.uiMultiplier = uint128(current);
        $.newUIMultiplier = uint128(newMultiplier);
        $.multiplierSince = $.effectiveAt; // when `current` took effect
        $.effectiveAt = uint64(effectiveAtTimestamp);
        $.multiplierNonce = nonce + 1;
        emit UIMultiplierUpdated(current, newMultiplier, block.timestamp, effectiveAtTimestamp);
    }

    function _setPolicy(uint8 minInvestorClass, bool blockUSPersons, uint128 holdingCap, uint16[] calldata blocked)
        private
    {
        if (minInvestorClass > InvestorRecord.MAX_CLASS) revert InvalidPolicy(1);
        if (blocked.length > MAX_BLOCKED_JURISDICTIONS) revert InvalidPolicy(3);
        for (uint256 i; i < blocked.length; ++i) {
            if (blocked[i] == 0 || blocked[i] > InvestorRecord.MAX_JURISDICTION) revert InvalidPolicy(2);
        }
        StockTokenStorage storage $ = _getStorage();
        Policy storage p = $.policy;
        p.minInvestorClass = minInvestorClass;
        p.blockUSPersons = blockUSPersons;
        p.holdingCap = holdingCap;
        p.blockedCount = uint8(blocked.length);
        // Unused hot slots hold 0, which no record carries (jurisdictions are 1..999).
        p.blocked0 = blocked.length > 0 ? blocked[0] : 0;
        p.blocked1 = blocked.length > 1 ? blocked[1] : 0;
        p.blocked2 = blocked.length > 2 ? blocked[2] : 0;
        p.blocked3 = blocked.length > 3 ? blocked[3] : 0;
        delete $.extraBlocked;
        for (uint256 i = 4; i < blocked.length; ++i) {
            $.extraBlocked.push(blocked[i]);
        }
        emit PolicyUpdated(minInvestorClass, blockUSPersons, holdingCap, blocked);
    }

    function _setReserveFeed(address feed, uint32 maxAge) private {
        if (feed == address(0)) revert ZeroAddress();
        if (maxAge == 0 || maxAge > 30 days) revert InvalidPolicy(4);
        StockTokenStorage storage $ = _getStorage();
        $.reserveFeed = AggregatorV3Interface(feed);
        $.reserveMaxAge = maxAge;
        emit ReserveFeedUpdated(feed, maxAge);
    }

    function _blockedList(Policy memory p, uint16[] storage extra) private view returns (uint16[] memory list) {
        list = new uint16[](p.blockedCount);
        for (uint256 i; i < list.length; ++i) {
            list[i] = i == 0 ? p.blocked0 : i == 1 ? p.blocked1 : i == 2 ? p.blocked2 : i == 3 ? p.blocked3 : extra[i - 4];
        }
    }

    /// @dev Always reverts: one copy of the error's encoding for every refusal (EIP-170 headroom).
    function _revertRestricted(address from, address to, uint256 value, uint8 code) private pure {
        revert StockTransferRestricted(from, to, value, code);
    }

    function _getStorage() private pure returns (StockTokenStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
