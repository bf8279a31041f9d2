// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {InvestorRecord} from "../compliance/InvestorRecord.sol";
import {IComplianceRegistry} from "../interfaces/IComplianceRegistry.sol";
import {ICorporateActions} from "../interfaces/ICorporateActions.sol";
import {IStockToken} from "../interfaces/IStockToken.sol";
import {StockToken} from "../token/StockToken.sol";

/// @title CorporateActions
/// @notice Corporate actions for every ticker of the issuer. Splits, stock dividends and
/// reinvested dividends schedule the token's ERC-8056 multiplier (constant gas whatever the
/// number of holders; no keeper at the effective second). Cash dividends pay a stablecoin
/// against a Merkle root of record-time entitlements computed from chain data off-chain
/// (`stocksuite.corporate`), so the token's transfer path carries no dividend bookkeeping.
/// Name changes (CHAN) schedule the token's name, symbol and underlying ticker the same way.
/// @dev Invariants: for every dividend, paid + withheld + unclaimed == funded until it is
/// reclaimed, then paid + withheld + reclaimed == funded; no leaf is paid twice (one bit per
/// leaf). Per-dividend funding isolation: a claim that would take a dividend's payments (net plus
/// withheld) past its own funding is refused (DividendFundingExceeded; {payBatch} skips it), so
/// whatever its tree says, a dividend never pays out stablecoin another dividend was funded with.
/// The tree is not trusted for that; it is trusted only to say who gets what within the funding,
/// which the officer's tool builds and `verify` lets anyone recompute (root, leaf count, totals)
/// from chain data. A claim updates one word holding 64 leaves' bits and their net and withheld
/// sums, and the dividend's `unclaimed` (packed with its funder): `dividend_claim` in
/// benchmarks/gas.json. Remittance and the views sum the words (O(leaves / 64)). Withheld tax
/// accrues per dividend and is remitted to its tax account by {remitWithholding}; events record
/// every payment with its withholding, and every entitlement a batch payout skips with why.
contract CorporateActions is
    Initializable,
    AccessControlUpgradeable,
    UUPSUpgradeable,
    ReentrancyGuardTransient,
    ICorporateActions
{
    using SafeERC20 for IERC20;
    using InvestorRecord for uint256;

    /// @notice May announce, cancel, declare and reclaim.
    bytes32 public constant ACTIONS_OFFICER_ROLE = keccak256("ACTIONS_OFFICER_ROLE");
    /// @notice May pay holders who cannot claim themselves, in batches.
    bytes32 public constant PAYING_AGENT_ROLE = keccak256("PAYING_AGENT_ROLE");
    /// @notice May upgrade this contract.
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");

    uint256 private constant BPS = 10_000;
    /// @notice The most entitlements one cash dividend may have: reclaim and remittance sum one
    /// claim word per 64 of them (about 2.5k gas each), so this keeps them near 10M gas, well
    /// inside an Arbitrum transaction. A larger payout is declared as several dividends.
    uint256 public constant MAX_DIVIDEND_LEAVES = 4096 * 64;

    /// @notice The investor register (frozen holders are not paid).
    IComplianceRegistry public immutable REGISTRY;

    /// @dev A split, stock dividend, reinvestment (the token's multiplier) or name change.
    struct ScheduledAction {
        Kind kind;
        Status status;
        StockToken token;
        uint64 effectiveAt;
        uint64 tokenNonce; // the token's multiplier nonce after the announcement
    }

    /// @dev Packed for the claim path: it reads slots 0 and 1, updates one claim word and the
    /// slot of `funder` and `unclaimed` (slot 3). Invariant: paid (withheld) = the sum of the
    /// words' net (withholding) fields, over the first `claimWords` words; claims outside them are
    /// refused, so the sums see every payment. `unclaimed` = funded - paid - withheld (every sum
    /// < 2**96, see {declareDividend}); it takes bytes of slot 3 that were unused before it was
    /// added, so every other field keeps its slot. A dividend declared before then reads 0 there:
    /// its claims are refused as past its funding and {reclaim} (which counts from the words)
    /// returns its unpaid funding; upgrade with none open, or after paying them out.
    struct Dividend {
        Status status;
        uint32 paymentTime;
        uint32 claimExpiry;
        uint24 claimWords; // ceil(leafCount / 64)
        IERC20 stablecoin;
        bytes32 merkleRoot;
        uint128 funded;
        uint128 remitted;
        address funder;
        uint96 unclaimed; // funding not yet paid or withheld; returned by {reclaim}
        address taxAccount;
        // word w: bits [0, 64) claimed flags of leaves 64w..64w+63, [64, 160) their net paid,
        // [160, 256) their tax withheld (see {_addClaim})
        mapping(uint256 word => uint256) claims;
    }

    /// @custom:storage-location erc7201:stocks.storage.CorporateActions
    struct CorporateActionsStorage {
        uint256 nextId;
        mapping(uint256 id => ScheduledAction) scheduledActions;
        mapping(uint256 id => Dividend) dividends;
    }

    // keccak256(abi.encode(uint256(keccak256("stocks.storage.CorporateActions")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xd9ca86823c70eb4cf53a50729b3b0b76aedeeb7bcb06d0fa2d01be5691ece900;

    /// @custom:oz-upgrades-unsafe-allow constructor state-variable-immutable
    /// @param registry The investor register.
    constructor(IComplianceRegistry registry) {
        if (address(registry) == address(0)) revert InvalidDividend();
        REGISTRY = registry;
        _disableInitializers();
    }

    /// @notice Sets up the proxy; `admin` gets DEFAULT_ADMIN_ROLE.
    /// @param admin The first administrator.
    function initialize(address admin) external initializer {
        if (admin == address(0)) revert InvalidDividend();
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _getStorage().nextId = 1;
    }

    // ------------------------------------------------------------------------------------------
    // Splits, stock dividends, reinvestment

    /// @notice Announces a forward split (SPLF), reverse split (SPLR) or stock dividend (DVSE):
    /// from `effectiveAt` every holder owns `numerator/denominator` times the shares.
    /// @param kind SPLF (ratio > 1), SPLR (ratio < 1) or DVSE (ratio > 1, e.g. 105/100).
    /// @param token The stock token (this contract holds its CORPORATE_ACTIONS_ROLE).
    /// @param numerator New shares, e.g. 3 for 3-for-2.
    /// @param denominator Old shares, e.g. 2 for 3-for-2.
    /// @param effectiveAt When it takes effect (now or later).
    /// @return id The action id.
    function announceRatio(Kind kind, StockToken token, uint256 numerator, uint256 denominator, uint64 effectiveAt)
        external
        onlyRole(ACTIONS_OFFICER_ROLE)
        returns (uint256 id)
    {
        bool up = numerator > denominator;
        bool valid = numerator != 0 && denominator != 0 && numerator != denominator
            && ((kind == Kind.SPLF && up) || (kind == Kind.DVSE && up) || (kind == Kind.SPLR && !up));
        if (!valid) revert InvalidRatio(kind, numerator, denominator);
        id = _scheduleMultiplier(kind, token, numerator, denominator, effectiveAt);
    }

    /// @notice Announces a reinvested dividend (DRIP): no cash moves; the multiplier rises by the
    /// net dividend divided by the reference price.
    /// @param token The stock token.
    /// @param grossPerShare Gross dividend per share, stablecoin units.
    /// @param referencePrice Reference price per share, stablecoin units.
    /// @param withholdingBps The one withholding rate the terms state.
    /// @param effectiveAt When it takes effect.
    /// @return id The action id.
    function announceReinvestment(
        StockToken token,
        uint256 grossPerShare,
        uint256 referencePrice,
        uint16 withholdingBps,
        uint64 effectiveAt
    ) external onlyRole(ACTIONS_OFFICER_ROLE) returns (uint256 id) {
        if (grossPerShare == 0 || referencePrice == 0 || withholdingBps >= BPS) {
            revert InvalidRatio(Kind.DRIP, grossPerShare, referencePrice);
        }
        uint256 netPerShare = grossPerShare * (BPS - withholdingBps) / BPS;
        if (netPerShare == 0) revert InvalidRatio(Kind.DRIP, grossPerShare, referencePrice);
        id = _scheduleMultiplier(Kind.DRIP, token, referencePrice + netPerShare, referencePrice, effectiveAt);
        emit ReinvestmentTerms(id, grossPerShare, referencePrice, withholdingBps);
    }

    /// @notice Announces a name change (CHAN): from `effectiveAt` the token's ERC-20 name and
    /// symbol and its underlying ticker are the new ones (e.g. after the company renames).
    /// @param token The stock token.
    /// @param names The new name, symbol and underlying ticker (none empty).
    /// @param effectiveAt When they apply (now or later).
    /// @return id The action id.
    function announceNameChange(StockToken token, IStockToken.Names calldata names, uint64 effectiveAt)
        external
        onlyRole(ACTIONS_OFFICER_ROLE)
        returns (uint256 id)
    {
        CorporateActionsStorage storage $ = _getStorage();
        id = $.nextId++;
        $.scheduledActions[id] =
            ScheduledAction({kind: Kind.CHAN, status: Status.Announced, token: token, effectiveAt: effectiveAt, tokenNonce: 0});
        emit NameChangeAnnounced(
            id,
            address(token),
            effectiveAt,
            token.name(),
            token.symbol(),
            token.securityInfo().underlyingTicker,
            names.name,
            names.symbol,
            names.underlyingTicker
        );
        token.scheduleNameChange(names, effectiveAt);
    }

    // ------------------------------------------------------------------------------------------
    // Cash dividends

    /// @notice Declares and funds a cash dividend: pulls exactly `totalNet + totalWithholding`
    /// of the stablecoin from the caller.
    /// @param terms The dividend's terms (see {DividendTerms}).
    /// @param jurisdictions Withholding table: ISO numeric codes with their own rate.
    /// @param bps Their rates, basis points.
    /// @param defaultBps Rate for every other jurisdiction.
    /// @param excluded Holders given no entitlement (published for verification).
    /// @return id The action id.
    function declareDividend(
        DividendTerms calldata terms,
        uint16[] calldata jurisdictions,
        uint16[] calldata bps,
        uint16 defaultBps,
        address[] calldata excluded
    ) external onlyRole(ACTIONS_OFFICER_ROLE) nonReentrant returns (uint256 id) {
        (uint256 total, uint256 words) = _checkTerms(terms, jurisdictions.length, bps, defaultBps);
        id = _getStorage().nextId++;
        Dividend storage d = _getStorage().dividends[id];
        d.status = Status.Announced;
        d.paymentTime = uint32(terms.paymentTime);
        d.claimExpiry = uint32(terms.claimExpiry);
        d.claimWords = uint24(words);
        d.funder = msg.sender;
        d.stablecoin = IERC20(terms.stablecoin);
        d.taxAccount = terms.taxAccount;
        d.merkleRoot = terms.merkleRoot;
        d.funded = uint128(total); // < 2**96 (checked by _checkTerms)
        d.unclaimed = uint96(total);
        emit DividendDeclared(id, terms.token, terms);
        emit DividendWithholdingTable(id, jurisdictions, bps, defaultBps, excluded);

        IERC20 stablecoin = IERC20(terms.stablecoin);
        uint256 before = stablecoin.balanceOf(address(this));
        stablecoin.safeTransferFrom(msg.sender, address(this), total);
        uint256 received = stablecoin.balanceOf(address(this)) - before;
        if (received != total) revert FundingMismatch(total, received);
    }

    /// @notice Pays `account` its entitlement (anyone may call; the money goes to `account`).
    /// @param id The dividend.
    /// @param index Leaf index.
    /// @param account The holder at the record time.
    /// @param net Net amount.
    /// @param withholding Tax withheld.
    /// @param proof Merkle proof.
    function claim(
        uint256 id,
        uint256 index,
        address account,
        uint256 net,
        uint256 withholding,
        bytes32[] calldata proof
    ) external nonReentrant {
        Dividend storage d = _openDividend(id);
        (SkipReason refused,,) = _record(d, id, index, account, net, withholding, proof);
        if (refused == SkipReason.AlreadyClaimed) revert AlreadyClaimed(id, index);
        if (refused == SkipReason.ClaimantFrozen) revert ClaimantFrozen(account);
        if (refused == SkipReason.FundingExceeded) {
            uint256 spent = uint256(d.funded) - d.unclaimed;
            uint256 wouldPay = Math.saturatingAdd(spent, Math.saturatingAdd(net, withholding));
            revert DividendFundingExceeded(id, wouldPay, d.funded);
        }
        emit DividendPaid(id, index, account, net, withholding);
        d.stablecoin.safeTransfer(account, net);
    }

    /// @notice Pays many holders (paying agent), e.g. those whose wallets cannot claim. An
    /// entitlement already paid, of an account the registry freezes, past the dividend's funding
    /// or that the stablecoin refuses to transfer is skipped with DividendPaymentSkipped and left
    /// payable later; the rest are paid. A proof that does not match reverts the whole batch: the
    /// paying agent's file is wrong (nobody else can make a published proof fail).
    /// @param id The dividend.
    /// @param claims The entitlements with their proofs.
    function payBatch(uint256 id, Claim[] calldata claims) external onlyRole(PAYING_AGENT_ROLE) nonReentrant {
        Dividend storage d = _openDividend(id);
        for (uint256 i; i < claims.length; ++i) {
            Claim calldata c = claims[i];
            (SkipReason skipped, uint256 w, uint256 word) =
                _record(d, id, c.index, c.account, c.net, c.withholding, c.proof);
            if (skipped == SkipReason.None) {
                if (d.stablecoin.trySafeTransfer(c.account, c.net)) {
                    // slither-disable-next-line reentrancy-events -- nonReentrant; the event follows the outcome
                    emit DividendPaid(id, c.index, c.account, c.net, c.withholding);
                    continue;
                }
                _undo(d, w, word, c.net + c.withholding);
                skipped = SkipReason.TransferFailed;
            }
            emit DividendPaymentSkipped(id, c.index, c.account, skipped);
        }
    }

    /// @notice Sends the tax withheld so far to the dividend's tax account (anyone may call).
    /// @param id The dividend.
    function remitWithholding(uint256 id) public nonReentrant {
        Dividend storage d = _dividend(id);
        (, uint256 withheld) = _claimedTotals(d);
        _remit(d, id, withheld);
    }

    /// @notice After the claim expiry, returns everything unclaimed to the funder (and remits
    /// pending withholding first).
    /// @param id The dividend.
    function reclaim(uint256 id) external onlyRole(ACTIONS_OFFICER_ROLE) nonReentrant {
        Dividend storage d = _dividend(id);
        if (d.status != Status.Announced) revert UnknownAction(id);
        if (block.timestamp < d.claimExpiry) revert ClaimsStillOpen(d.claimExpiry);
        (uint256 paid, uint256 withheld) = _claimedTotals(d);
        _remit(d, id, withheld);
        uint256 amount = uint256(d.funded) - paid - withheld; // == unclaimed (see {Dividend})
        d.unclaimed = 0;
        d.status = Status.Reclaimed;
        emit DividendReclaimed(id, d.funder, amount);
        if (amount != 0) d.stablecoin.safeTransfer(d.funder, amount);
    }

    /// @notice Cancels an action before it takes effect: a scheduled multiplier or name change
    /// is withdrawn; a dividend before its payment time is refunded in full to its funder.
    /// @param id The action.
    function cancel(uint256 id) external onlyRole(ACTIONS_OFFICER_ROLE) nonReentrant {
        CorporateActionsStorage storage $ = _getStorage();
        ScheduledAction storage action = $.scheduledActions[id];
        if (action.status == Status.Announced) {
            if (block.timestamp >= action.effectiveAt) revert ActionAlreadyEffective(id);
            action.status = Status.Cancelled;
            emit ActionCancelled(id);
            if (action.kind == Kind.CHAN) action.token.cancelNameChange(action.effectiveAt);
            else action.token.cancelUIMultiplierUpdate(action.tokenNonce);
            return;
        }
        Dividend storage d = $.dividends[id];
        if (d.status != Status.Announced) revert UnknownAction(id);
        if (block.timestamp >= d.paymentTime) revert ActionAlreadyEffective(id);
        d.status = Status.Cancelled;
        uint256 refund = d.funded; // nothing was paid: claims open at the payment time
        d.unclaimed = 0;
        emit ActionCancelled(id);
        emit DividendReclaimed(id, d.funder, refund);
        d.stablecoin.safeTransfer(d.funder, refund);
    }

    // ------------------------------------------------------------------------------------------
    // Views

    /// @notice A dividend's state.
    /// @param id The dividend.
    function dividend(uint256 id)
        external
        view
        returns (
            Status status,
            address stablecoin,
            bytes32 merkleRoot,
            uint64 paymentTime,
            uint64 claimExpiry,
            uint256 funded,
            uint256 paid,
            uint256 withheld,
            uint256 remitted
        )
    {
        Dividend storage d = _getStorage().dividends[id];
        (paid, withheld) = _claimedTotals(d);
        return (d.status, address(d.stablecoin), d.merkleRoot, d.paymentTime, d.claimExpiry, d.funded, paid,
            withheld, d.remitted);
    }

    /// @notice Whether leaf `index` of dividend `id` was paid.
    /// @param id The dividend.
    /// @param index Leaf index.
    function isClaimed(uint256 id, uint256 index) external view returns (bool) {
        return (_getStorage().dividends[id].claims[index >> 6] >> (index & 63)) & 1 == 1;
    }

    /// @notice A split, stock dividend, reinvestment or name change.
    /// @param id The action.
    /// @return The kind, status, token, effective time and (multiplier changes) the token's nonce.
    function scheduledAction(uint256 id) external view returns (ScheduledAction memory) {
        return _getStorage().scheduledActions[id];
    }

    /// @notice The id the next action will get.
    function nextActionId() external view returns (uint256) {
        return _getStorage().nextId;
    }

    // ------------------------------------------------------------------------------------------
    // Internal

    function _scheduleMultiplier(Kind kind, StockToken token, uint256 numerator, uint256 denominator, uint64 at)
        private
        returns (uint256 id)
    {
        uint256 current = token.uiMultiplier();
        uint64 nonce = token.multiplierNonce();
        uint256 next = Math.mulDiv(current, numerator, denominator);
        CorporateActionsStorage storage $ = _getStorage();
        id = $.nextId++;
        $.scheduledActions[id] = ScheduledAction({
            kind: kind, status: Status.Announced, token: token, effectiveAt: at, tokenNonce: nonce + 1
        });
        emit MultiplierActionAnnounced(id, kind, address(token), at, numerator, denominator, current, next);
        token.updateUIMultiplier(next, at, current, nonce);
    }

    /// @dev Validates a declaration; returns the funding total and the number of claim words.
    function _checkTerms(DividendTerms calldata terms, uint256 jurisdictions, uint16[] calldata bps, uint16 defaultBps)
        private
        view
        returns (uint256 total, uint256 words)
    {
        if (terms.recordTime > block.timestamp || terms.paymentTime < terms.recordTime
            || terms.claimExpiry <= terms.paymentTime || terms.claimExpiry > type(uint32).max) {
            revert InvalidSchedule(terms.recordTime, terms.paymentTime, terms.claimExpiry);
        }
        total = uint256(terms.totalNet) + terms.totalWithholding;
        words = (uint256(terms.leafCount) + 63) >> 6;
        if (terms.merkleRoot == bytes32(0) || total == 0 || total > type(uint96).max || terms.token == address(0)
            || words == 0 || terms.leafCount > MAX_DIVIDEND_LEAVES || terms.taxAccount == address(0)
            || terms.stablecoin == address(0)) {
            revert InvalidDividend();
        }
        if (jurisdictions != bps.length || defaultBps > BPS) revert InvalidWithholdingTable();
        for (uint256 i; i < bps.length; ++i) {
            if (bps[i] > BPS) revert InvalidWithholdingTable();
        }
    }

    /// @dev Records one payment (its claimed bit, the word's sums, `unclaimed`) and returns the
    /// word index and the word as it was; or returns why it cannot be paid, changing nothing. A
    /// proof that does not match reverts. The caller then transfers the net amount.
    function _record(
        Dividend storage d,
        uint256 id,
        uint256 index,
        address account,
        uint256 net,
        uint256 withholding,
        bytes32[] calldata proof
    ) private returns (SkipReason, uint256 w, uint256 word) {
        w = index >> 6;
        if (w >= d.claimWords) revert InvalidProof(id, index);
        uint256 flag = 1 << (index & 63);
        word = d.claims[w];
        if (word & flag != 0) return (SkipReason.AlreadyClaimed, w, word);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, account, net, withholding))));
        if (!MerkleProof.verifyCalldata(proof, d.merkleRoot, leaf)) revert InvalidProof(id, index);
        if (REGISTRY.recordOf(account).has(InvestorRecord.FROZEN)) return (SkipReason.ClaimantFrozen, w, word);
        uint256 unclaimed = d.unclaimed;
        if (net > unclaimed || withholding > unclaimed - net) return (SkipReason.FundingExceeded, w, word);
        d.claims[w] = _addClaim(word | flag, net, withholding);
        d.unclaimed = uint96(unclaimed - net - withholding); // below `unclaimed`, a uint96
        return (SkipReason.None, w, word);
    }

    /// @dev Undoes {_record} after a failed transfer: the entitlement stays payable.
    function _undo(Dividend storage d, uint256 w, uint256 word, uint256 amount) private {
        d.claims[w] = word;
        d.unclaimed += uint96(amount); // what {_record} took off `unclaimed`
    }

    /// @dev Adds a payment to a claim word's sums (see {Dividend}). Neither sum can pass 2**96:
    /// each is at most the dividend's payments, which stay within its funding (< 2**96).
    function _addClaim(uint256 word, uint256 net, uint256 withholding) private pure returns (uint256) {
        uint256 netSum = uint96(word >> 64) + net;
        uint256 taxSum = (word >> 160) + withholding;
        return (word & type(uint64).max) | (netSum << 64) | (taxSum << 160);
    }

    function _remit(Dividend storage d, uint256 id, uint256 withheld) private {
        uint256 amount = withheld - d.remitted;
        if (amount == 0) return;
        d.remitted = uint128(withheld); // withheld <= funded - unclaimed < 2**96
        emit WithholdingRemitted(id, d.taxAccount, amount);
        d.stablecoin.safeTransfer(d.taxAccount, amount);
    }

    /// @dev Sums the claim words: O(leaves / 64) reads (at most 4,096), for reclaim, remittance
    /// and views only.
    function _claimedTotals(Dividend storage d) private view returns (uint256 paid, uint256 withheld) {
        uint256 words = d.claimWords;
        for (uint256 w; w < words; ++w) {
            uint256 word = d.claims[w];
            paid += uint96(word >> 64);
            withheld += word >> 160;
        }
    }

    function _dividend(uint256 id) private view returns (Dividend storage d) {
        d = _getStorage().dividends[id];
        if (d.status == Status.None) revert UnknownAction(id);
    }

    function _openDividend(uint256 id) private view returns (Dividend storage d) {
        d = _dividend(id);
        if (d.status != Status.Announced) revert UnknownAction(id);
        if (block.timestamp < d.paymentTime || block.timestamp >= d.claimExpiry) {
            revert ClaimWindowClosed(block.timestamp, d.paymentTime, d.claimExpiry);
        }
    }

    function _authorizeUpgrade(address) internal override onlyRole(UPGRADER_ROLE) {}

    function _getStorage() private pure returns (CorporateActionsStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
