// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
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
/// minted against the reserve. Cancels are asynchronous (ERC-7887): a holder asks, the
/// fulfiller settles in its batch flow, the holder claims; a fill in between wins (the real
/// shares may already be sold) and the cancel settles only what is still pending. A controller
/// that may not send under the token's rules (ERC-7943 `canSend`) cannot request, cancel, be
/// filled or claim; the vault's agent moves such a position to the investor's other wallet or
/// seizes it to an issuer wallet (after ERC-8161, with every state moved).
/// @dev Invariants (solvency checked after every fill and position move): stablecoin held >=
/// claimable proceeds + pending subscriptions + claimable cancelled subscriptions; tokens held ==
/// pending redemptions + claimable cancelled redemptions + unclaimed subscribed shares. Each
/// request amount moves pending -> (claimable | cancel-claimable) -> claimed exactly once.
/// Deviation: a {withdraw} or {mint} whose rounded-up counterpart is all that is claimable
/// settles everything left (it pays or delivers more than asked) instead of stranding the rest.
/// The vault must be an approved contract account in the registry and hold the token's
/// MINTER_ROLE and BURNER_ROLE.
contract RedemptionVault is AccessControl, ReentrancyGuardTransient, IRedemptionVault {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice May fill requests at an execution price.
    bytes32 public constant FULFILLER_ROLE = keccak256("FULFILLER_ROLE");
    /// @notice May pause and resume requests and fills.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice May move a frozen or lost controller's position to the investor's other wallet, or
    /// seize it to an issuer wallet.
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");

    uint256 private constant BPS = 10_000;
    uint8 private constant ASSET_DECIMALS = 6; // prices and the feed conversion are in 6 decimals

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
        uint128 claimableCancelRedeemShares; // ERC-7887: settled redemption cancels, to claim
        uint128 claimableCancelDepositAssets; // ERC-7887: settled subscription cancels, to claim
        bool pendingCancelRedeem; // ERC-7887: a redemption cancel waits for the fulfiller
        bool pendingCancelDeposit;
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
    /// @notice Shares of settled redemption cancels, not yet claimed (ERC-7887).
    uint256 public totalClaimableCancelRedeemShares;
    /// @notice Stablecoin of settled subscription cancels, not yet claimed (ERC-7887).
    uint256 public totalClaimableCancelDepositAssets;

    /// @param token The stock token.
    /// @param asset The stablecoin: exactly 6 decimals (the price math's unit), else refused.
    /// @param admin Gets DEFAULT_ADMIN_ROLE (price guard and fees).
    constructor(StockToken token, IERC20 asset, address admin) {
        if (address(token) == address(0) || address(asset) == address(0) || admin == address(0)) {
            revert InvalidConfig();
        }
        uint8 assetDecimals = IERC20Metadata(address(asset)).decimals();
        if (assetDecimals != ASSET_DECIMALS) revert UnsupportedAssetDecimals(address(asset), assetDecimals);
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
    /// @param controller Who controls (and claims) the request: an investor who may send.
    /// @param owner Whose tokens are locked: the caller or a controller that made it operator.
    /// @return requestId Always 0 (requests aggregate per controller).
    function requestRedeem(uint256 shares, address controller, address owner)
        external
        nonReentrant
        returns (uint256 requestId)
    {
        _checkRequest(shares, controller, owner);
        Account storage account = _accounts[controller];
        if (account.pendingCancelRedeem) revert CancelPending(controller);
        account.pendingRedeemShares += shares.toUint128();
        totalPendingRedeemShares += shares;
        emit RedeemRequest(controller, owner, 0, msg.sender, shares);
        // slither-disable-next-line arbitrary-send-erc20 -- owner is the caller or made it operator (_checkRequest)
        IERC20(address(TOKEN)).safeTransferFrom(owner, address(this), shares);
        return 0;
    }

    /// @notice ERC-7887: asks to cancel the controller's whole pending redemption. The cancel is
    /// Pending until the fulfiller settles it ({fulfillCancelRedeem}); a fill in between fills what
    /// is pending (the real shares may already be sold) and the cancel settles the remainder.
    /// @param requestId Must be 0.
    /// @param controller The controller (the caller or one that made it operator).
    function cancelRedeemRequest(uint256 requestId, address controller) external nonReentrant {
        _requestCancel(requestId, controller, true);
        emit CancelRedeemRequest(controller, 0, msg.sender);
    }

    /// @notice Settles the pending redemption cancels of `controllers`: what is still pending
    /// becomes claimable with {claimCancelRedeemRequest}. Controllers without a pending cancel are
    /// skipped.
    /// @param controllers The controllers.
    function fulfillCancelRedeem(address[] calldata controllers) external onlyRole(FULFILLER_ROLE) nonReentrant {
        uint256 total = _settleCancels(controllers, true);
        totalPendingRedeemShares -= total;
        totalClaimableCancelRedeemShares += total;
    }

    /// @notice ERC-7887: returns the controller's settled redemption cancel (its raw shares).
    /// @param requestId Must be 0.
    /// @param receiver Gets the tokens (must pass the token's receiver rules).
    /// @param owner The controller (the caller or one that made it operator).
    /// @return shares Raw shares returned.
    function claimCancelRedeemRequest(uint256 requestId, address receiver, address owner)
        external
        nonReentrant
        returns (uint256 shares)
    {
        shares = _takeCancelled(requestId, receiver, owner, true);
        totalClaimableCancelRedeemShares -= shares;
        emit CancelRedeemClaim(owner, receiver, 0, msg.sender, shares);
        IERC20(address(TOKEN)).safeTransfer(receiver, shares);
    }

    /// @notice Fills redemptions at `price` (stablecoin units per whole share): burns the shares,
    /// pulls the proceeds from the caller, pays the fee, makes the net claimable. Each entry fills
    /// what is pending, at most its amount; an entry that fills less (nothing pending, a controller
    /// that may not send, proceeds that round to 0) emits {FillShortfall} and never reverts the batch.
    /// @param fills Controllers and raw shares (partial fills allowed).
    /// @param price Execution price of the sale of the real shares.
    function fulfillRedeem(Fill[] calldata fills, uint256 price) external onlyRole(FULFILLER_ROLE) nonReentrant {
        _checkFill(price);
        uint256 totalShares = 0;
        uint256 totalNet = 0;
        uint256 totalFee = 0;
        for (uint256 i; i < fills.length; ++i) {
            (uint256 shares, uint256 net, uint256 fee) = _fillRedeem(fills[i].controller, fills[i].amount, price);
            (totalShares, totalNet, totalFee) = (totalShares + shares, totalNet + net, totalFee + fee);
        }
        lastPrice = price;
        if (totalShares == 0) return;
        totalPendingRedeemShares -= totalShares;
        totalRedeemedShares += totalShares;
        totalClaimableAssets += totalNet;
        TOKEN.burn(totalShares);
        ASSET.safeTransferFrom(msg.sender, address(this), totalNet);
        if (totalFee != 0) ASSET.safeTransferFrom(msg.sender, feeRecipient, totalFee);
        _checkSolvent();
    }

    /// @notice Claims redemption proceeds for `shares` of the controller's filled requests
    /// (pro rata; claiming every claimable share pays every claimable unit).
    /// @param shares Raw shares to claim (at most {maxRedeem}).
    /// @param receiver Gets the stablecoin (a verified investor).
    /// @param controller Whose request (must be allowed to send under the token's rules).
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

    /// @notice Claims `assets` of the controller's redemption proceeds. When the shares this
    /// settles (rounded up) are all that is claimable, the claim pays everything left, so no
    /// stablecoin is ever left without shares to claim it.
    /// @param assets Stablecoin to claim (at most {maxWithdraw}).
    /// @param receiver Gets the stablecoin (a verified investor).
    /// @param controller Whose request (must be allowed to send under the token's rules).
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
        if (shares != 0 && shares == account.claimableRedeemShares) assets = account.claimableRedeemAssets;
        _payRedemption(account, controller, receiver, assets, shares);
    }

    // ------------------------------------------------------------------------------------------
    // Subscription: request, cancel, fill, claim

    /// @notice Locks `assets` of stablecoin of `owner` (who approved this vault) to subscribe.
    /// @param assets Stablecoin amount.
    /// @param controller Who controls (and claims) the request: an investor who may send.
    /// @param owner Whose stablecoin: the caller or a controller that made it operator.
    /// @return requestId Always 0.
    function requestDeposit(uint256 assets, address controller, address owner)
        external
        nonReentrant
        returns (uint256 requestId)
    {
        _checkRequest(assets, controller, owner);
        Account storage account = _accounts[controller];
        if (account.pendingCancelDeposit) revert CancelPending(controller);
        account.pendingDepositAssets += assets.toUint128();
        totalPendingDepositAssets += assets;
        emit DepositRequest(controller, owner, 0, msg.sender, assets);
        // slither-disable-next-line arbitrary-send-erc20 -- owner is the caller or made it operator (_checkRequest)
        ASSET.safeTransferFrom(owner, address(this), assets);
        return 0;
    }

    /// @notice ERC-7887: asks to cancel the controller's whole pending subscription; settled by
    /// the fulfiller ({fulfillCancelDeposit}), after which a fill in between has taken its part.
    /// @param requestId Must be 0.
    /// @param controller The controller (the caller or one that made it operator).
    function cancelDepositRequest(uint256 requestId, address controller) external nonReentrant {
        _requestCancel(requestId, controller, false);
        emit CancelDepositRequest(controller, 0, msg.sender);
    }

    /// @notice Settles the pending subscription cancels of `controllers`: what is still pending
    /// becomes claimable with {claimCancelDepositRequest}. Controllers without one are skipped.
    /// @param controllers The controllers.
    function fulfillCancelDeposit(address[] calldata controllers) external onlyRole(FULFILLER_ROLE) nonReentrant {
        uint256 total = _settleCancels(controllers, false);
        totalPendingDepositAssets -= total;
        totalClaimableCancelDepositAssets += total;
    }

    /// @notice ERC-7887: returns the controller's settled subscription cancel (its stablecoin).
    /// @param requestId Must be 0.
    /// @param receiver Gets the stablecoin (a verified investor).
    /// @param controller The controller (the caller or one that made it operator).
    /// @return assets Stablecoin returned.
    function claimCancelDepositRequest(uint256 requestId, address receiver, address controller)
        external
        nonReentrant
        returns (uint256 assets)
    {
        assets = _takeCancelled(requestId, receiver, controller, false);
        totalClaimableCancelDepositAssets -= assets;
        emit CancelDepositClaim(controller, receiver, 0, msg.sender, assets);
        ASSET.safeTransfer(receiver, assets);
    }

    /// @notice Fills subscriptions at `price`: the money (less the fee) goes to the treasury,
    /// which bought the real shares; the tokens are minted (against the reserve) and claimable.
    /// Each entry fills what is pending, at most its amount; an entry that fills less (nothing
    /// pending, a controller that may not send, an amount that buys 0 raw tokens: its money stays
    /// pending) emits {FillShortfall} and never reverts the batch.
    /// @param fills Controllers and stablecoin amounts (partial fills allowed).
    /// @param price Execution price of the purchase of the real shares.
    function fulfillDeposit(Fill[] calldata fills, uint256 price) external onlyRole(FULFILLER_ROLE) nonReentrant {
        _checkFill(price);
        uint256 totalAssets_ = 0;
        uint256 totalFee = 0;
        uint256 totalShares = 0;
        for (uint256 i; i < fills.length; ++i) {
            (uint256 assets, uint256 fee, uint256 shares) = _fillDeposit(fills[i].controller, fills[i].amount, price);
            (totalAssets_, totalFee, totalShares) = (totalAssets_ + assets, totalFee + fee, totalShares + shares);
        }
        lastPrice = price;
        if (totalShares == 0) return;
        totalPendingDepositAssets -= totalAssets_;
        totalClaimableShares += totalShares;
        TOKEN.mint(address(this), totalShares);
        ASSET.safeTransfer(treasury, totalAssets_ - totalFee);
        if (totalFee != 0) ASSET.safeTransfer(feeRecipient, totalFee);
        _checkSolvent();
    }

    /// @notice Claims the shares bought with `assets` of the controller's filled subscriptions
    /// (pro rata; settling every claimable unit delivers every claimable share).
    /// @param assets Stablecoin to settle (at most {maxDeposit}).
    /// @param receiver Gets the tokens (must pass the token's rules).
    /// @param controller Whose request (must be allowed to send under the token's rules).
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

    /// @notice Claims `shares` of the controller's filled subscriptions. When the stablecoin this
    /// settles (rounded up) is all that is claimable, the claim delivers every share left, so no
    /// shares are ever left without stablecoin to claim them.
    /// @param shares Raw shares (at most {maxMint}).
    /// @param receiver Gets the tokens.
    /// @param controller Whose request (must be allowed to send under the token's rules).
    /// @return assets Stablecoin this settles.
    function mint(uint256 shares, address receiver, address controller) public nonReentrant returns (uint256 assets) {
        Account storage account = _accounts[controller];
        if (shares > account.claimableDepositShares) {
            revert ExceedsClaimable(controller, shares, account.claimableDepositShares);
        }
        assets = Math.mulDiv(account.claimableDepositAssets, shares, account.claimableDepositShares, Math.Rounding.Ceil);
        if (assets != 0 && assets == account.claimableDepositAssets) shares = account.claimableDepositShares;
        _deliverShares(account, controller, receiver, assets, shares);
    }

    /// @notice ERC-4626 form of {mint} with the caller as controller.
    function mint(uint256 shares, address receiver) external returns (uint256) {
        return mint(shares, receiver, msg.sender);
    }

    // ------------------------------------------------------------------------------------------
    // Agent: moving a frozen, lost or seized controller's position

    /// @notice Moves every state of `from` (pending, claimable and cancel, both sides) to `to`,
    /// another wallet of the same investor in the token's registry (a lost or frozen wallet's
    /// replacement). A pending cancel of either wallet then covers the merged pending amount.
    /// @param from The old controller.
    /// @param to The investor's other wallet (must be allowed to send under the token's rules).
    /// @param reason Why (lost key, ...).
    function transferPosition(address from, address to, string calldata reason)
        external
        onlyRole(AGENT_ROLE)
        nonReentrant
    {
        if (!TOKEN.REGISTRY().sameInvestor(from, to)) revert NotSameInvestor(from, to);
        _movePosition(from, to, false, reason);
    }

    /// @notice Seizes every state of `from` to `to`, an issuer-controlled wallet, recording why
    /// (court order, sanctions, ...); like the token's forcedTransferWithReason.
    /// @param from The controller seized from.
    /// @param to The issuer's wallet (must be allowed to send under the token's rules).
    /// @param reason Why.
    function seizePosition(address from, address to, string calldata reason)
        external
        onlyRole(AGENT_ROLE)
        nonReentrant
    {
        _movePosition(from, to, true, reason);
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

    /// @notice ERC-7887: whether a redemption cancel of `controller` waits for the fulfiller.
    function pendingCancelRedeemRequest(uint256, address controller) external view returns (bool isPending) {
        return _accounts[controller].pendingCancelRedeem;
    }

    /// @notice ERC-7887: raw shares of `controller`'s settled redemption cancel, to claim.
    function claimableCancelRedeemRequest(uint256, address controller) external view returns (uint256 shares) {
        return _accounts[controller].claimableCancelRedeemShares;
    }

    /// @notice ERC-7887: whether a subscription cancel of `controller` waits for the fulfiller.
    function pendingCancelDepositRequest(uint256, address controller) external view returns (bool isPending) {
        return _accounts[controller].pendingCancelDeposit;
    }

    /// @notice ERC-7887: stablecoin of `controller`'s settled subscription cancel, to claim.
    function claimableCancelDepositRequest(uint256, address controller) external view returns (uint256 assets) {
        return _accounts[controller].claimableCancelDepositAssets;
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

    /// @notice Stablecoin the vault holds for claims, pending and cancelled subscriptions.
    function totalAssets() external view returns (uint256) {
        return _owed();
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

    /// @notice ERC-165: ERC-7540 operator, async deposit and redeem, ERC-7575, ERC-7887 deposit
    /// and redeem cancels, AccessControl.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == 0xe3bc4e65 || interfaceId == 0xce3bbe50 || interfaceId == 0x620ee8e4
            || interfaceId == 0x2f0a18c5 || interfaceId == 0x8bf840e3 || interfaceId == 0xe76cffc7
            || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------------------------------
    // Internal

    function _checkRequest(uint256 amount, address controller, address owner) private view {
        if (requestsPaused) revert RequestsPaused();
        if (amount == 0) revert ZeroAmount();
        if (owner != msg.sender && !isOperator[owner][msg.sender]) revert NotOwnerOrOperator(msg.sender, owner);
        _checkCanSend(controller);
    }

    function _checkController(address controller) private view {
        if (controller != msg.sender && !isOperator[controller][msg.sender]) {
            revert NotOwnerOrOperator(msg.sender, controller);
        }
    }

    /// @dev The token's own answer (ERC-7943), so the vault refuses exactly what the token would.
    function _checkCanSend(address controller) private view {
        if (!TOKEN.canSend(controller)) revert ControllerRestricted(controller);
    }

    /// @dev A claim's checks: the controller (or its operator) calls, may send, and pays out to
    /// a receiver the token accepts.
    function _checkClaim(address controller, address receiver) private view {
        _checkController(controller);
        _checkCanSend(controller);
        if (!TOKEN.canReceive(receiver)) revert NotWhitelisted(receiver);
    }

    /// @dev ERC-7887 cancel request of one side: the whole pending amount, once at a time.
    function _requestCancel(uint256 requestId, address controller, bool isRedeem) private {
        if (requestId != 0) revert UnknownRequest(requestId);
        _checkController(controller);
        _checkCanSend(controller);
        Account storage account = _accounts[controller];
        (bool cancelling, uint256 pending) = isRedeem
            ? (account.pendingCancelRedeem, uint256(account.pendingRedeemShares))
            : (account.pendingCancelDeposit, uint256(account.pendingDepositAssets));
        if (cancelling) revert CancelPending(controller);
        if (pending == 0) revert NothingToCancel(controller);
        if (isRedeem) account.pendingCancelRedeem = true;
        else account.pendingCancelDeposit = true;
    }

    /// @dev Settles one side's pending cancels: pending -> cancel-claimable; returns the sum (the
    /// caller moves the totals).
    function _settleCancels(address[] calldata controllers, bool isRedeem) private returns (uint256 total) {
        for (uint256 i; i < controllers.length; ++i) {
            Account storage account = _accounts[controllers[i]];
            uint128 amount;
            if (isRedeem && account.pendingCancelRedeem) {
                amount = account.pendingRedeemShares;
                (account.pendingCancelRedeem, account.pendingRedeemShares) = (false, 0);
                account.claimableCancelRedeemShares += amount;
            } else if (!isRedeem && account.pendingCancelDeposit) {
                amount = account.pendingDepositAssets;
                (account.pendingCancelDeposit, account.pendingDepositAssets) = (false, 0);
                account.claimableCancelDepositAssets += amount;
            } else {
                continue; // no pending cancel on this side: nothing to settle
            }
            total += amount;
            emit CancelFulfilled(controllers[i], isRedeem, amount);
        }
    }

    /// @dev Takes one side's settled cancel for a claim (the caller moves the total and pays).
    function _takeCancelled(uint256 requestId, address receiver, address controller, bool isRedeem)
        private
        returns (uint256 amount)
    {
        if (requestId != 0) revert UnknownRequest(requestId);
        _checkClaim(controller, receiver);
        Account storage account = _accounts[controller];
        amount = isRedeem ? account.claimableCancelRedeemShares : account.claimableCancelDepositAssets;
        if (amount == 0) revert NothingToClaim(controller);
        if (isRedeem) account.claimableCancelRedeemShares = 0;
        else account.claimableCancelDepositAssets = 0;
    }

    /// @dev One redemption entry: fills min(requested, pending) or nothing, with {FillShortfall}.
    function _fillRedeem(address controller, uint256 requested, uint256 price)
        private
        returns (uint256 shares, uint256 net, uint256 fee)
    {
        if (requested == 0) revert ZeroAmount();
        Account storage account = _accounts[controller];
        shares = Math.min(requested, account.pendingRedeemShares);
        Shortfall refused = _refusal(controller, shares);
        uint256 gross = refused == Shortfall.None ? Math.mulDiv(TOKEN.toUIAmount(shares), price, _ONE_SHARE) : 0;
        if (refused == Shortfall.None && gross == 0) refused = Shortfall.RoundsToZero;
        if (refused != Shortfall.None) {
            emit FillShortfall(controller, requested, 0, refused);
            return (0, 0, 0);
        }
        fee = gross * feeBps / BPS;
        net = gross - fee;
        account.pendingRedeemShares -= shares.toUint128();
        account.claimableRedeemShares += shares.toUint128();
        account.claimableRedeemAssets += net.toUint128();
        emit RedeemFulfilled(controller, shares, net, fee, price);
        if (shares < requested) emit FillShortfall(controller, requested, shares, Shortfall.LessPending);
    }

    /// @dev One subscription entry: fills min(requested, pending) or nothing, with {FillShortfall};
    /// money that would buy 0 raw tokens stays pending.
    function _fillDeposit(address controller, uint256 requested, uint256 price)
        private
        returns (uint256 assets, uint256 fee, uint256 shares)
    {
        if (requested == 0) revert ZeroAmount();
        Account storage account = _accounts[controller];
        assets = Math.min(requested, account.pendingDepositAssets);
        Shortfall refused = _refusal(controller, assets);
        fee = assets * feeBps / BPS;
        shares = refused == Shortfall.None ? TOKEN.fromUIAmount(Math.mulDiv(assets - fee, _ONE_SHARE, price)) : 0;
        if (refused == Shortfall.None && shares == 0) refused = Shortfall.RoundsToZero;
        if (refused != Shortfall.None) {
            emit FillShortfall(controller, requested, 0, refused);
            return (0, 0, 0);
        }
        account.pendingDepositAssets -= assets.toUint128();
        account.claimableDepositAssets += assets.toUint128();
        account.claimableDepositShares += shares.toUint128();
        emit DepositFulfilled(controller, assets, shares, fee, price);
        if (assets < requested) emit FillShortfall(controller, requested, assets, Shortfall.LessPending);
    }

    /// @dev Why a fill entry of `amount` (the pending part) is refused, or None.
    function _refusal(address controller, uint256 amount) private view returns (Shortfall) {
        if (amount == 0) return Shortfall.LessPending;
        if (!TOKEN.canSend(controller)) return Shortfall.ControllerRestricted;
        return Shortfall.None;
    }

    function _movePosition(address from, address to, bool seized, string calldata reason) private {
        if (from == to || to == address(0)) revert InvalidPositionMove(from, to);
        _checkCanSend(to);
        Account memory p = _accounts[from];
        uint256 tokens = uint256(p.pendingRedeemShares) + p.claimableCancelRedeemShares + p.claimableDepositShares;
        uint256 assets = uint256(p.claimableRedeemAssets) + p.pendingDepositAssets + p.claimableCancelDepositAssets;
        if (tokens == 0 && assets == 0 && p.claimableRedeemShares == 0 && p.claimableDepositAssets == 0) {
            revert EmptyPosition(from);
        }
        delete _accounts[from];
        Account storage dst = _accounts[to];
        dst.pendingRedeemShares += p.pendingRedeemShares;
        dst.claimableRedeemShares += p.claimableRedeemShares;
        dst.claimableRedeemAssets += p.claimableRedeemAssets;
        dst.pendingDepositAssets += p.pendingDepositAssets;
        dst.claimableDepositAssets += p.claimableDepositAssets;
        dst.claimableDepositShares += p.claimableDepositShares;
        dst.claimableCancelRedeemShares += p.claimableCancelRedeemShares;
        dst.claimableCancelDepositAssets += p.claimableCancelDepositAssets;
        dst.pendingCancelRedeem = dst.pendingCancelRedeem || p.pendingCancelRedeem;
        dst.pendingCancelDeposit = dst.pendingCancelDeposit || p.pendingCancelDeposit;
        if (p.pendingRedeemShares != 0) emit TransferRedeemRequest(0, from, to, p.pendingRedeemShares);
        if (p.pendingDepositAssets != 0) emit TransferDepositRequest(0, from, to, p.pendingDepositAssets);
        emit PositionTransferred(from, to, seized, tokens, assets, reason);
        _checkSolvent();
    }

    function _payRedemption(Account storage account, address controller, address receiver, uint256 assets,
        uint256 shares) private {
        _checkClaim(controller, receiver);
        if (shares == 0) revert ZeroAmount();
        if (assets == 0) revert ClaimPaysNothing(controller, shares);
        account.claimableRedeemShares -= shares.toUint128();
        account.claimableRedeemAssets -= assets.toUint128();
        totalClaimableAssets -= assets;
        emit Withdraw(msg.sender, receiver, controller, assets, shares);
        ASSET.safeTransfer(receiver, assets);
    }

    function _deliverShares(Account storage account, address controller, address receiver, uint256 assets,
        uint256 shares) private {
        _checkClaim(controller, receiver);
        if (assets == 0) revert ZeroAmount();
        if (shares == 0) revert ClaimPaysNothing(controller, assets);
        account.claimableDepositAssets -= assets.toUint128();
        account.claimableDepositShares -= shares.toUint128();
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

    function _owed() private view returns (uint256) {
        return totalClaimableAssets + totalPendingDepositAssets + totalClaimableCancelDepositAssets;
    }

    function _checkSolvent() private view {
        uint256 held = ASSET.balanceOf(address(this));
        uint256 owed = _owed();
        if (held < owed) revert Insolvent(held, owed);
    }
}
