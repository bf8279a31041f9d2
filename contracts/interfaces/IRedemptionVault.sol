// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRedemptionVault
/// @notice Events, errors and types of the ERC-7540 redemption and subscription vault.
interface IRedemptionVault {
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

    /// @notice Emitted when a pending request is cancelled and its lock returned in full.
    /// @param controller The controller.
    /// @param isRedeem Redemption (shares returned) or subscription (stablecoin returned).
    /// @param amount What was returned.
    event RequestCancelled(address indexed controller, bool isRedeem, uint256 amount);

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
    /// @notice Thrown when a fill exceeds the pending amount.
    error ExceedsPending(address controller, uint256 amount, uint256 pending);
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
