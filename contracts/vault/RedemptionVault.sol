// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IRedemptionVault} from "../interfaces/IRedemptionVault.sol";
import {StockToken} from "../token/StockToken.sol";

/// @title RedemptionVault
/// @notice Asynchronous redemption and subscription of one stock token against a 6-decimal
/// stablecoin, following ERC-7540 (requests aggregated per controller, request id 0) and
/// ERC-7575 (`share()` is the stock token). Holders request; the issuer's redemption operator
/// fills in batches at the execution price of the real trade, within a band around a
/// Chainlink-style price feed and never while the L2 sequencer is down or just restarted;
/// holders claim. Redeemed tokens are burned so supply tracks custody; subscribed tokens are
/// minted against the reserve.
/// @dev Invariant (checked after every fill): stablecoin held >= claimable redemption proceeds +
/// pending subscription money. Each request moves pending -> claimable -> claimed exactly once;
/// a cancel returns exactly the pending lock. The vault must be an approved contract account in
/// the registry and hold the token's MINTER_ROLE and BURNER_ROLE.
contract RedemptionVault is AccessControl, ReentrancyGuardTransient, IRedemptionVault {
    using SafeERC20 for IERC20;

    /// @notice May fill requests at an execution price.
    bytes32 public constant FULFILLER_ROLE = keccak256("FULFILLER_ROLE");
    /// @notice May pause and resume requests and fills.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    uint256 private constant BPS = 10_000;

    /// @notice The stock token (ERC-7575 share).
    StockToken public immutable TOKEN;
    /// @notice The settlement stablecoin (ERC-4626 asset).
    IERC20 public immutable ASSET;
    uint256 private immutable _ONE_SHARE; // 10 ** token decimals (one whole share in UI units)

    struct Account {
        uint128 pendingRedeemShares;
        uint128 claimableRedeemShares;
        uint128 claimableRedeemAssets;
        uint128 pendingDepositAssets;
        uint128 claimableDepositAssets;
        uint128 claimableDepositShares;
    }

    mapping(address controller => Account) private _accounts;
    mapping(address controller => mapping(address operator => bool)) public isOperator;

    /// @notice Stablecoin owed to redeemers (claimable).
    uint256 public totalClaimableAssets;
    /// @notice Stablecoin locked by pending subscriptions.
    uint256 public totalPendingDepositAssets;
    /// @notice Shares locked by pending redemptions.
    uint256 public totalPendingRedeemShares;
    /// @notice Shares minted for subscribers, not yet claimed.
    uint256 public totalClaimableShares;
    /// @notice Shares burned by redemption fills, ever.
    uint256 public totalRedeemedShares;

    AggregatorV3Interface public priceFeed;
    AggregatorV3Interface public sequencerFeed;
    uint32 public priceMaxAge;
    uint32 public gracePeriod;
    uint16 public bandBps;
    uint16 public feeBps;
    bool public requestsPaused;
    bool public fillsPaused;
    address public feeRecipient;
    address public treasury;
    uint256 public lastPrice;

    /// @param token The stock token.
    /// @param asset The 6-decimal stablecoin.
    /// @param admin Gets DEFAULT_ADMIN_ROLE (price guard and fees).
    constructor(StockToken token, IERC20 asset, address admin) {
        if (address(token) == address(0) || address(asset) == address(0) || admin == address(0)) {
            revert InvalidConfig();
        }
        TOKEN = token;
        ASSET = asset;
        _ONE_SHARE = 10 ** token.decimals();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------------------------------
    // Configuration

    /// @notice Sets the price guard: feed, staleness, band, sequencer uptime feed and grace period.
    /// @param feed Chainlink-style price feed of one share.
    /// @param maxAge Oldest price accepted, seconds.
    /// @param band Largest deviation of a fill price from the feed, basis points.
    /// @param sequencer Chainlink L2 sequencer uptime feed (answer 0 = up).
    /// @param grace Seconds after the sequencer comes back during which fills are refused.
    function setPriceGuard(address feed, uint32 maxAge, uint16 band, address sequencer, uint32 grace)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (feed == address(0) || sequencer == address(0) || maxAge == 0 || band == 0 || band > BPS) {
            revert InvalidConfig();
        }
        (priceFeed, priceMaxAge, bandBps, sequencerFeed, gracePeriod) =
            (AggregatorV3Interface(feed), maxAge, band, AggregatorV3Interface(sequencer), grace);
        emit PriceGuardUpdated(feed, maxAge, band, sequencer, grace);
    }

    /// @notice Sets the fee and where fees and subscription money go.
    /// @param fee Fee in basis points (at most 10%).
    /// @param recipient Receives fees.
    /// @param treasury_ Receives subscription money (to buy the shares).
    function setFees(uint16 fee, address recipient, address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (fee > 1_000 || recipient == address(0) || treasury_ == address(0)) revert InvalidConfig();
        (feeBps, feeRecipient, treasury) = (fee, recipient, treasury_);
        emit FeesUpdated(fee, recipient, treasury_);
    }

    /// @notice Pauses or resumes new requests and fills, separately. Claims and cancels stay open.
    /// @param requests Pause new requests.
    /// @param fills Pause fills.
    function setPaused(bool requests, bool fills) external onlyRole(PAUSER_ROLE) {
        (requestsPaused, fillsPaused) = (requests, fills);
        emit PauseChanged(requests, fills);
    }

    // ------------------------------------------------------------------------------------------
    // ERC-7540 operators

    /// @notice Lets `operator` manage the caller's requests and claims.
    /// @param operator The operator.
    /// @param approved Grant or revoke.
    function setOperator(address operator, bool approved) external returns (bool) {
        isOperator[msg.sender][operator] = approved;
        emit OperatorSet(msg.sender, operator, approved);
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // Redemption: request, cancel, fill, claim

    /// @notice Locks `shares` of `owner` (who approved this vault) for redemption by `controller`.
    /// @param shares Raw token amount.
    /// @param controller Who controls (and claims) the request: a verified investor.
    /// @param owner Whose tokens are locked: the caller or a controller that made it operator.
    /// @return requestId Always 0 (requests aggregate per controller).
    function requestRedeem(uint256 shares, address controller, address owner)
        external
        nonReentrant
        returns (uint256 requestId)
    {
        _checkRequest(shares, controller, owner);
        _accounts[controller].pendingRedeemShares += uint128(shares);
        totalPendingRedeemShares += shares;
        emit RedeemRequest(controller, owner, 0, msg.sender, shares);
        // slither-disable-next-line arbitrary-send-erc20 -- owner is the caller or made it operator (_checkRequest)
        IERC20(address(TOKEN)).safeTransferFrom(owner, address(this), shares);
        return 0;
    }

    /// @notice Returns a controller's whole pending redemption (not yet filled) to it.
    /// @param controller The controller.
    function cancelRedeemRequest(address controller) external nonReentrant {
        _checkController(controller);
        uint256 shares = _accounts[controller].pendingRedeemShares;
        if (shares == 0) revert ZeroAmount();
        _accounts[controller].pendingRedeemShares = 0;
        totalPendingRedeemShares -= shares;
        emit RequestCancelled(controller, true, shares);
        IERC20(address(TOKEN)).safeTransfer(controller, shares);
    }

    /// @notice Fills redemptions at `price` (stablecoin units per whole share): burns the shares,
    /// pulls the proceeds from the caller, pays the fee, makes the net claimable.
    /// @param fills Controllers and raw shares (partial fills allowed).
    /// @param price Execution price of the sale of the real shares.
    function fulfillRedeem(Fill[] calldata fills, uint256 price) external onlyRole(FULFILLER_ROLE) nonReentrant {
        _checkFill(price);
        uint256 totalShares = 0;
        uint256 totalNet = 0;
        uint256 totalFee = 0;
        for (uint256 i; i < fills.length; ++i) {
            (address controller, uint256 shares) = (fills[i].controller, fills[i].amount);
            Account storage account = _accounts[controller];
            if (shares == 0) revert ZeroAmount();
            if (shares > account.pendingRedeemShares) {
                revert ExceedsPending(controller, shares, account.pendingRedeemShares);
            }
            uint256 gross = Math.mulDiv(TOKEN.toUIAmount(shares), price, _ONE_SHARE);
            uint256 fee = gross * feeBps / BPS;
            account.pendingRedeemShares -= uint128(shares);
            account.claimableRedeemShares += uint128(shares);
            account.claimableRedeemAssets += uint128(gross - fee);
            (totalShares, totalNet, totalFee) = (totalShares + shares, totalNet + gross - fee, totalFee + fee);
            emit RedeemFulfilled(controller, shares, gross - fee, fee, price);
        }
        totalPendingRedeemShares -= totalShares;
        totalRedeemedShares += totalShares;
        totalClaimableAssets += totalNet;
        lastPrice = price;
        TOKEN.burn(totalShares);
        ASSET.safeTransferFrom(msg.sender, address(this), totalNet);
        if (totalFee != 0) ASSET.safeTransferFrom(msg.sender, feeRecipient, totalFee);
        _checkSolvent();
    }

    /// @notice Claims redemption proceeds for `shares` of the controller's filled requests.
    /// @param shares Raw shares to claim (at most {maxRedeem}).
    /// @param receiver Gets the stablecoin (a verified investor).
    /// @param controller Whose request.
    /// @return assets Stablecoin paid.
    function redeem(uint256 shares, address receiver, address controller)
        external
        nonReentrant
        returns (uint256 assets)
    {
        Account storage account = _accounts[controller];
        if (shares > account.claimableRedeemShares) {
            revert ExceedsClaimable(controller, shares, account.claimableRedeemShares);
        }
        assets = Math.mulDiv(account.claimableRedeemAssets, shares, account.claimableRedeemShares);
        _payRedemption(account, controller, receiver, assets, shares);
    }

    /// @notice Claims `assets` of the controller's redemption proceeds.
    /// @param assets Stablecoin to claim (at most {maxWithdraw}).
    /// @param receiver Gets the stablecoin (a verified investor).
    /// @param controller Whose request.
    /// @return shares Raw shares this settles.
    function withdraw(uint256 assets, address receiver, address controller)
        external
        nonReentrant
        returns (uint256 shares)
    {
        Account storage account = _accounts[controller];
        if (assets > account.claimableRedeemAssets) {
            revert ExceedsClaimable(controller, assets, account.claimableRedeemAssets);
        }
        shares = Math.mulDiv(account.claimableRedeemShares, assets, account.claimableRedeemAssets, Math.Rounding.Ceil);
        _payRedemption(account, controller, receiver, assets, shares);
    }

    // ------------------------------------------------------------------------------------------
    // Subscription: request, cancel, fill, claim

    /// @notice Locks `assets` of stablecoin of `owner` (who approved this vault) to subscribe.
    /// @param assets Stablecoin amount.
    /// @param controller Who controls (and claims) the request: a verified investor.
    /// @param owner Whose stablecoin: the caller or a controller that made it operator.
    /// @return requestId Always 0.
    function requestDeposit(uint256 assets, address controller, address owner)
        external
        nonReentrant
        returns (uint256 requestId)
    {
        _checkRequest(assets, controller, owner);
        _accounts[controller].pendingDepositAssets += uint128(assets);
        totalPendingDepositAssets += assets;
        emit DepositRequest(controller, owner, 0, msg.sender, assets);
        // slither-disable-next-line arbitrary-send-erc20 -- owner is the caller or made it operator (_checkRequest)
        ASSET.safeTransferFrom(owner, address(this), assets);
        return 0;
    }

    /// @notice Returns a controller's whole pending subscription money to it.
    /// @param controller The controller.
    function cancelDepositRequest(address controller) external nonReentrant {
        _checkController(controller);
        uint256 assets = _accounts[controller].pendingDepositAssets;
        if (assets == 0) revert ZeroAmount();
        _accounts[controller].pendingDepositAssets = 0;
        totalPendingDepositAssets -= assets;
        emit RequestCancelled(controller, false, assets);
        ASSET.safeTransfer(controller, assets);
    }

    /// @notice Fills subscriptions at `price`: the money (less the fee) goes to the treasury,
    /// which bought the real shares; the tokens are minted (against the reserve) and claimable.
    /// @param fills Controllers and stablecoin amounts (partial fills allowed).
    /// @param price Execution price of the purchase of the real shares.
    function fulfillDeposit(Fill[] calldata fills, uint256 price) external onlyRole(FULFILLER_ROLE) nonReentrant {
        _checkFill(price);
        uint256 totalAssets_ = 0;
        uint256 totalFee = 0;
        uint256 totalShares = 0;
        for (uint256 i; i < fills.length; ++i) {
            (address controller, uint256 assets) = (fills[i].controller, fills[i].amount);
            Account storage account = _accounts[controller];
            if (assets == 0) revert ZeroAmount();
            if (assets > account.pendingDepositAssets) {
                revert ExceedsPending(controller, assets, account.pendingDepositAssets);
            }
            uint256 fee = assets * feeBps / BPS;
            uint256 shares = TOKEN.fromUIAmount(Math.mulDiv(assets - fee, _ONE_SHARE, price));
            account.pendingDepositAssets -= uint128(assets);
            account.claimableDepositAssets += uint128(assets);
            account.claimableDepositShares += uint128(shares);
            (totalAssets_, totalFee, totalShares) = (totalAssets_ + assets, totalFee + fee, totalShares + shares);
            emit DepositFulfilled(controller, assets, shares, fee, price);
        }
        totalPendingDepositAssets -= totalAssets_;
        totalClaimableShares += totalShares;
        lastPrice = price;
        TOKEN.mint(address(this), totalShares);
        ASSET.safeTransfer(treasury, totalAssets_ - totalFee);
        if (totalFee != 0) ASSET.safeTransfer(feeRecipient, totalFee);
        _checkSolvent();
    }

    /// @notice Claims the shares bought with `assets` of the controller's filled subscriptions.
    /// @param assets Stablecoin to settle (at most {maxDeposit}).
    /// @param receiver Gets the tokens (must pass the token's rules).
    /// @param controller Whose request.
    /// @return shares Raw shares delivered.
    function deposit(uint256 assets, address receiver, address controller) public nonReentrant returns (uint256 shares) {
        Account storage account = _accounts[controller];
        if (assets > account.claimableDepositAssets) {
            revert ExceedsClaimable(controller, assets, account.claimableDepositAssets);
        }
        shares = Math.mulDiv(account.claimableDepositShares, assets, account.claimableDepositAssets);
        _deliverShares(account, controller, receiver, assets, shares);
    }

    /// @notice ERC-4626 form of {deposit} with the caller as controller.
    function deposit(uint256 assets, address receiver) external returns (uint256) {
        return deposit(assets, receiver, msg.sender);
    }

    /// @notice Claims `shares` of the controller's filled subscriptions.
    /// @param shares Raw shares (at most {maxMint}).
    /// @param receiver Gets the tokens.
    /// @param controller Whose request.
    /// @return assets Stablecoin this settles.
    function mint(uint256 shares, address receiver, address controller) public nonReentrant returns (uint256 assets) {
        Account storage account = _accounts[controller];
        if (shares > account.claimableDepositShares) {
            revert ExceedsClaimable(controller, shares, account.claimableDepositShares);
        }
        assets = Math.mulDiv(account.claimableDepositAssets, shares, account.claimableDepositShares, Math.Rounding.Ceil);
        _deliverShares(account, controller, receiver, assets, shares);
    }

    /// @notice ERC-4626 form of {mint} with the caller as controller.
    function mint(uint256 shares, address receiver) external returns (uint256) {
        return mint(shares, receiver, msg.sender);
    }

    // ------------------------------------------------------------------------------------------
    // Views (ERC-7540, ERC-4626, ERC-7575)

    /// @notice Shares of `controller` waiting for a fill.
    function pendingRedeemRequest(uint256, address controller) external view returns (uint256) {
        return _accounts[controller].pendingRedeemShares;
    }

    /// @notice Filled shares of `controller` whose proceeds can be claimed.
    function claimableRedeemRequest(uint256, address controller) external view returns (uint256) {
        return _accounts[controller].claimableRedeemShares;
    }

    /// @notice Stablecoin of `controller` waiting for a fill.
    function pendingDepositRequest(uint256, address controller) external view returns (uint256) {
        return _accounts[controller].pendingDepositAssets;
    }

    /// @notice Filled stablecoin of `controller` whose shares can be claimed.
    function claimableDepositRequest(uint256, address controller) external view returns (uint256) {
        return _accounts[controller].claimableDepositAssets;
    }

    /// @notice The stock token (ERC-7575).
    function share() external view returns (address) {
        return address(TOKEN);
    }

    /// @notice The stablecoin (ERC-4626).
    function asset() external view returns (address) {
        return address(ASSET);
    }

    /// @notice Stablecoin the vault holds for claims and pending subscriptions.
    function totalAssets() external view returns (uint256) {
        return totalClaimableAssets + totalPendingDepositAssets;
    }

    /// @notice Raw shares `assets` buy at the last execution price (0 before any fill).
    function convertToShares(uint256 assets) external view returns (uint256) {
        return lastPrice == 0 ? 0 : TOKEN.fromUIAmount(Math.mulDiv(assets, _ONE_SHARE, lastPrice));
    }

    /// @notice Stablecoin `shares` fetch at the last execution price.
    function convertToAssets(uint256 shares) external view returns (uint256) {
        return Math.mulDiv(TOKEN.toUIAmount(shares), lastPrice, _ONE_SHARE);
    }

    /// @notice Claimable subscription money of `controller`.
    function maxDeposit(address controller) external view returns (uint256) {
        return _accounts[controller].claimableDepositAssets;
    }

    /// @notice Claimable subscription shares of `controller`.
    function maxMint(address controller) external view returns (uint256) {
        return _accounts[controller].claimableDepositShares;
    }

    /// @notice Claimable redemption proceeds of `controller`.
    function maxWithdraw(address controller) external view returns (uint256) {
        return _accounts[controller].claimableRedeemAssets;
    }

    /// @notice Claimable redeemed shares of `controller`.
    function maxRedeem(address controller) external view returns (uint256) {
        return _accounts[controller].claimableRedeemShares;
    }

    /// @notice Reverts: previews have no meaning for asynchronous flows (ERC-7540).
    function previewDeposit(uint256) external pure returns (uint256) {
        revert AsyncFlow();
    }

    /// @notice Reverts: previews have no meaning for asynchronous flows (ERC-7540).
    function previewMint(uint256) external pure returns (uint256) {
        revert AsyncFlow();
    }

    /// @notice Reverts: previews have no meaning for asynchronous flows (ERC-7540).
    function previewRedeem(uint256) external pure returns (uint256) {
        revert AsyncFlow();
    }

    /// @notice Reverts: previews have no meaning for asynchronous flows (ERC-7540).
    function previewWithdraw(uint256) external pure returns (uint256) {
        revert AsyncFlow();
    }

    /// @notice ERC-165: ERC-7540 operator, async deposit and redeem, ERC-7575, AccessControl.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == 0xe3bc4e65 || interfaceId == 0xce3bbe50 || interfaceId == 0x620ee8e4
            || interfaceId == 0x2f0a18c5 || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------------------------------
    // Internal

    function _checkRequest(uint256 amount, address controller, address owner) private view {
        if (requestsPaused) revert RequestsPaused();
        if (amount == 0) revert ZeroAmount();
        if (owner != msg.sender && !isOperator[owner][msg.sender]) revert NotOwnerOrOperator(msg.sender, owner);
        if (!TOKEN.canReceive(controller)) revert NotWhitelisted(controller);
    }

    function _checkController(address controller) private view {
        if (controller != msg.sender && !isOperator[controller][msg.sender]) {
            revert NotOwnerOrOperator(msg.sender, controller);
        }
    }

    function _payRedemption(Account storage account, address controller, address receiver, uint256 assets,
        uint256 shares) private {
        _checkController(controller);
        if (shares == 0 || assets == 0) revert ZeroAmount();
        if (!TOKEN.canReceive(receiver)) revert NotWhitelisted(receiver);
        account.claimableRedeemShares -= uint128(shares);
        account.claimableRedeemAssets -= uint128(assets);
        totalClaimableAssets -= assets;
        emit Withdraw(msg.sender, receiver, controller, assets, shares);
        ASSET.safeTransfer(receiver, assets);
    }

    function _deliverShares(Account storage account, address controller, address receiver, uint256 assets,
        uint256 shares) private {
        _checkController(controller);
        if (shares == 0 || assets == 0) revert ZeroAmount();
        account.claimableDepositAssets -= uint128(assets);
        account.claimableDepositShares -= uint128(shares);
        totalClaimableShares -= shares;
        emit Deposit(controller, receiver, assets, shares);
        IERC20(address(TOKEN)).safeTransfer(receiver, shares);
    }

    function _checkFill(uint256 price) private view {
        if (fillsPaused) revert FillsPaused();
        if (price == 0) revert ZeroAmount();
        // L2 sequencer uptime (Chainlink): answer 0 = up; startedAt = when the status last changed.
        // slither-disable-next-line unused-return -- only status and its start time matter
        (, int256 status, uint256 upSince,,) = sequencerFeed.latestRoundData();
        if (status != 0 || upSince == 0) revert SequencerDown();
        if (block.timestamp - upSince <= gracePeriod) revert GracePeriodNotOver(upSince, gracePeriod);
        // slither-disable-next-line unused-return -- only the answer and its time matter
        (, int256 answer,, uint256 updatedAt,) = priceFeed.latestRoundData();
        if (answer <= 0 || block.timestamp - updatedAt > priceMaxAge) revert StalePrice(updatedAt, priceMaxAge);
        // Feed answers in its decimals; prices here are in the stablecoin's 6 decimals.
        uint256 referencePrice = Math.mulDiv(uint256(answer), 1e6, 10 ** priceFeed.decimals());
        uint256 deviation = price > referencePrice ? price - referencePrice : referencePrice - price;
        if (deviation * BPS > referencePrice * bandBps) revert PriceOutsideBand(price, referencePrice, bandBps);
    }

    function _checkSolvent() private view {
        uint256 held = ASSET.balanceOf(address(this));
        uint256 owed = totalClaimableAssets + totalPendingDepositAssets;
        if (held < owed) revert Insolvent(held, owed);
    }
}
