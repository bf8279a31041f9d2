// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ERC-8056 Scaled UI Amount
/// @notice Raw ERC-20 amounts never change on a corporate action; one raw token stands for
/// `uiMultiplier / 1e18` shares, and UI amount = raw * uiMultiplier / 1e18.
interface IScaledUIAmount {
    /// @notice Emitted whenever the multiplier (or its scheduled successor) changes.
    /// @param oldMultiplier The multiplier in force when the change was made.
    /// @param newMultiplier The multiplier from `effectiveAtTimestamp` on.
    /// @param setAtTimestamp When the change was made.
    /// @param effectiveAtTimestamp When the new multiplier takes over.
    event UIMultiplierUpdated(
        uint256 oldMultiplier, uint256 newMultiplier, uint256 setAtTimestamp, uint256 effectiveAtTimestamp
    );

    /// @notice The multiplier in force now (18 decimals, 1e18 = 1.0).
    function uiMultiplier() external view returns (uint256);

    /// @notice Converts a raw amount to a UI amount (rounded down).
    /// @param rawAmount Raw token amount.
    function toUIAmount(uint256 rawAmount) external view returns (uint256);

    /// @notice Converts a UI amount to a raw amount (rounded down).
    /// @param uiAmount UI (share) amount.
    function fromUIAmount(uint256 uiAmount) external view returns (uint256);

    /// @notice The UI amount held by `account`.
    /// @param account The holder.
    function balanceOfUI(address account) external view returns (uint256);

    /// @notice Schedules a new multiplier from `effectiveAtTimestamp` (authorized callers only).
    /// @param newMultiplier The multiplier to apply.
    /// @param effectiveAtTimestamp When it applies (not in the past).
    function setUIMultiplier(uint256 newMultiplier, uint256 effectiveAtTimestamp) external;
}

/// @title ERC-8056 pending multiplier extension
interface IScaledUIAmountNewUIMultiplier {
    /// @notice The multiplier scheduled to take effect at {effectiveAt}.
    function newUIMultiplier() external view returns (uint256);

    /// @notice When {newUIMultiplier} takes effect.
    function effectiveAt() external view returns (uint256);
}
