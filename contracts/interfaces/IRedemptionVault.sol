// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRedemptionVault
/// @notice Events, errors and types of the ERC-7540 redemption and subscription vault, with
/// ERC-7887 asynchronous cancels and an agent's move of a whole position (after ERC-8161).
interface IRedemptionVault {
    /// @notice Why a fill entry filled less than asked (the {FillShortfall} event's reason).
    /// @dev LessPending: the controller had less pending than the entry asked (possibly nothing);
    /// ControllerRestricted: the controller may not send under the token's rules (frozen,
    /// de-verified, KYC expired, ...), so nothing is filled; RoundsToZero: the amount would pay 0
    /// stablecoin or mint 0 raw tokens, so nothing is taken.
    enum Shortfall {
        None,
        LessPending,
        ControllerRestricted,
        RoundsToZero
    }

    /// @notice One controller's part of a batch fill.
    /// @param controller Whose request is filled.
    /// @param amount Shares (raw) for redemptions, stablecoin for subscriptions.
    struct Fill {
        address controller;
        uint256 amount;
    }

    // ERC-7540 / ERC-4626 / ERC-7575 events.
    /// @notice A redemption was requested (shares locked).
    event RedeemRequest(
        address indexed controller, address indexed owner, uint256 indexed requestId, address sender, uint256 shares
    );
    /// @notice A subscription was requested (stablecoin locked).
    event DepositRequest(
        address indexed controller, address indexed owner, uint256 indexed requestId, address sender, uint256 assets
    );
    /// @notice An operator was approved or revoked by a controller.
    event OperatorSet(address indexed controller, address indexed operator, bool approved);
    /// @notice Subscribed shares were claimed (first parameter: the controller).
    event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares);
    /// @notice Redemption proceeds were claimed.
    event Withdraw(
        address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares
    );

    /// @notice Emitted per controller when redemptions are filled.
    /// @param controller The request's controller.
    /// @param shares Raw shares filled (burned).
    /// @param assets Net stablecoin now claimable.
    /// @param fee Fee taken.
    /// @param price Execution price, stablecoin units per whole share.
    event RedeemFulfilled(address indexed controller, uint256 shares, uint256 assets, uint256 fee, uint256 price);

    /// @notice Emitted per controller when subscriptions are filled.
    /// @param controller The request's controller.
    /// @param assets Stablecoin filled.
    /// @param shares Raw shares minted and now claimable.
    /// @param fee Fee taken.
    /// @param price Execution price, stablecoin units per whole share.
    event DepositFulfilled(address indexed controller, uint256 assets, uint256 shares, uint256 fee, uint256 price);

    /// @notice Emitted when a fill entry fills less than it asked for (or nothing): the batch
    /// goes on, what is not filled stays pending.
    /// @param controller The entry's controller.
    /// @param requested What the entry asked to fill (raw shares or stablecoin).
    /// @param filled What was filled.
    /// @param reason Why less was filled.
    event FillShortfall(address indexed controller, uint256 requested, uint256 filled, Shortfall reason);

    // ERC-7887 events.
    /// @notice A controller asked to cancel its whole pending subscription.
    event CancelDepositRequest(address indexed controller, uint256 indexed requestId, address sender);
    /// @notice Cancelled subscription money was claimed.
    event CancelDepositClaim(
        address indexed controller, address indexed receiver, uint256 indexed requestId, address sender, uint256 assets
    );
    /// @notice A controller asked to cancel its whole pending redemption.
    event CancelRedeemRequest(address indexed controller, uint256 indexed requestId, address sender);
    /// @notice Cancelled redemption shares were claimed.
    event CancelRedeemClaim(
        address indexed controller, address indexed receiver, uint256 indexed requestId, address sender, uint256 shares
    );

    /// @notice Emitted when the operator settles a pending cancel: what was still pending (after
    /// any fill) becomes claimable by the controller (possibly 0).
    /// @param controller The controller.
    /// @param isRedeem Redemption (raw shares) or subscription (stablecoin).
    /// @param amount What became claimable.
    event CancelFulfilled(address indexed controller, bool isRedeem, uint256 amount);

    // ERC-8161 events, for the pending parts of a moved position.
    /// @notice A pending subscription moved to another controller.
    event TransferDepositRequest(uint256 indexed requestId, address indexed from, address indexed to, uint256 assets);
    /// @notice A pending redemption moved to another controller.
    event TransferRedeemRequest(uint256 indexed requestId, address indexed from, address indexed to, uint256 shares);

    /// @notice Emitted when the agent moves a controller's whole vault position (every pending,
    /// claimable and cancel state) to another wallet.
    /// @param from The old controller (frozen, lost, or seized from).
    /// @param to The new controller.
    /// @param seized True for a seizure to an issuer wallet, false for the same investor's wallet.
    /// @param tokens Raw tokens the vault holds for the position (pending and cancelled
    /// redemptions, unclaimed subscribed shares).
    /// @param assets Stablecoin the vault owes for it (claimable proceeds, pending and cancelled
    /// subscriptions).
    /// @param reason Why (court order, lost key, ...).
    event PositionTransferred(
        address indexed from, address indexed to, bool indexed seized, uint256 tokens, uint256 assets, string reason
    );

    /// @notice Emitted when requests or fills are paused or resumed.
    event PauseChanged(bool requestsPaused, bool fillsPaused);

    /// @notice Emitted when the price guard changes.
    event PriceGuardUpdated(address priceFeed, uint32 maxAge, uint16 bandBps, address sequencerFeed, uint32 gracePeriod);

    /// @notice Emitted when the fee or where money goes changes.
    event FeesUpdated(uint16 feeBps, address feeRecipient, address treasury);

    /// @notice Thrown for a zero amount.
    error ZeroAmount();
    /// @notice Thrown when the caller is neither the owner/controller nor its operator.
    error NotOwnerOrOperator(address caller, address account);
    /// @notice Thrown when an account is not a verified investor of the token.
    error NotWhitelisted(address account);
    /// @notice Thrown when requests are paused.
    error RequestsPaused();
    /// @notice Thrown when fills are paused.
    error FillsPaused();
    /// @notice Thrown when a controller may not send under the token's rules (frozen,
    /// de-verified, KYC expired, ...): it cannot request, cancel, or claim.
    /// @param controller The controller.
    error ControllerRestricted(address controller);
    /// @notice Thrown for a request or a cancel while a cancel of that side is pending (ERC-7887).
    /// @param controller The controller.
    error CancelPending(address controller);
    /// @notice Thrown for a cancel when nothing is pending on that side.
    /// @param controller The controller.
    error NothingToCancel(address controller);
    /// @notice Thrown for a cancel claim when nothing cancelled is claimable.
    /// @param controller The controller.
    error NothingToClaim(address controller);
    /// @notice Thrown for a request id other than 0 (requests aggregate per controller).
    /// @param requestId The id given.
    error UnknownRequest(uint256 requestId);
    /// @notice Thrown when a claim of a nonzero amount would pay nothing (rounds to 0); a larger
    /// claim, or the whole claimable amount, pays.
    /// @param controller The controller.
    /// @param amount The amount claimed.
    error ClaimPaysNothing(address controller, uint256 amount);
    /// @notice Thrown when the stablecoin's decimals are not the 6 the price math assumes.
    /// @param asset The stablecoin.
    /// @param decimals Its decimals.
    error UnsupportedAssetDecimals(address asset, uint8 decimals);
    /// @notice Thrown when a position move names the same wallet twice or the zero address.
    /// @param from The old controller.
    /// @param to The new controller.
    error InvalidPositionMove(address from, address to);
    /// @notice Thrown when a position transfer's wallets are not the same investor in the registry.
    /// @param from The old controller.
    /// @param to The new controller.
    error NotSameInvestor(address from, address to);
    /// @notice Thrown when a position move finds nothing to move.
    /// @param from The old controller.
    error EmptyPosition(address from);
    /// @notice Thrown when a claim exceeds what is claimable.
    error ExceedsClaimable(address controller, uint256 amount, uint256 claimable);
    /// @notice Thrown when the execution price is outside the band around the feed.
    error PriceOutsideBand(uint256 price, uint256 referencePrice, uint16 bandBps);
    /// @notice Thrown when the price feed is stale or invalid.
    error StalePrice(uint256 updatedAt, uint32 maxAge);
    /// @notice Thrown when the L2 sequencer is reported down.
    error SequencerDown();
    /// @notice Thrown within the grace period after the sequencer came back.
    error GracePeriodNotOver(uint256 upSince, uint32 gracePeriod);
    /// @notice Thrown by the ERC-4626 preview functions, which have no meaning for async flows.
    error AsyncFlow();
    /// @notice Thrown for a bad configuration value.
    error InvalidConfig();
    /// @notice Thrown if, after a fill, the vault holds less stablecoin than it owes.
    error Insolvent(uint256 held, uint256 owed);
}
