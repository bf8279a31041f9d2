// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ERC-1404: Simple Restricted Token Standard
/// @notice Lets wallets and integrators ask before sending whether a transfer would pass.
interface IERC1404 {
    /// @notice The restriction code for a transfer: 0 means it would succeed.
    /// @param from Sender.
    /// @param to Receiver.
    /// @param value Raw amount.
    function detectTransferRestriction(address from, address to, uint256 value) external view returns (uint8);

    /// @notice A human-readable explanation of a restriction code.
    /// @param restrictionCode A code returned by {detectTransferRestriction}.
    function messageForTransferRestriction(uint8 restrictionCode) external view returns (string memory);
}
