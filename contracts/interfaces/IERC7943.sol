// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title ERC-7943 (uRWA) for ERC-20 based tokens
/// @notice Compliance views, partial freezes and forced transfers for real-world assets.
interface IERC7943Fungible is IERC165 {
    /// @notice Emitted when tokens are taken from one address and transferred to another.
    /// @param from Where the tokens were taken from.
    /// @param to Where they went.
    /// @param amount Raw amount.
    event ForcedTransfer(address indexed from, address indexed to, uint256 amount);

    /// @notice Emitted when the frozen amount of an account changes.
    /// @param account The account.
    /// @param amount The frozen amount after the change.
    event Frozen(address indexed account, uint256 amount);

    /// @notice Thrown when an account may not send.
    /// @param account The account.
    error ERC7943CannotSend(address account);

    /// @notice Thrown when an account may not receive.
    /// @param account The account.
    error ERC7943CannotReceive(address account);

    /// @notice Thrown when a transfer is refused by the token's rules.
    /// @param from Sender.
    /// @param to Receiver.
    /// @param amount Raw amount.
    error ERC7943CannotTransfer(address from, address to, uint256 amount);

    /// @notice Thrown when a transfer would use frozen tokens.
    /// @param account The sender.
    /// @param amount The amount asked for.
    /// @param unfrozen What the sender may move.
    error ERC7943InsufficientUnfrozenBalance(address account, uint256 amount, uint256 unfrozen);

    /// @notice Moves tokens regardless of the sender's consent (regulatory order, recovery).
    /// @param from Source.
    /// @param to Destination.
    /// @param amount Raw amount.
    function forcedTransfer(address from, address to, uint256 amount) external returns (bool result);

    /// @notice Sets how many of `account`'s tokens are frozen (may exceed its balance).
    /// @param account The account.
    /// @param amount Raw amount to freeze.
    function setFrozenTokens(address account, uint256 amount) external returns (bool result);

    /// @notice Whether `account` may send under the token's rules.
    /// @param account The account.
    function canSend(address account) external view returns (bool allowed);

    /// @notice Whether `account` may receive under the token's rules.
    /// @param account The account.
    function canReceive(address account) external view returns (bool allowed);

    /// @notice The frozen amount of `account`.
    /// @param account The account.
    function getFrozenTokens(address account) external view returns (uint256 amount);

    /// @notice Whether a transfer would succeed now, frozen tokens included.
    /// @param from Sender.
    /// @param to Receiver.
    /// @param amount Raw amount.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool allowed);
}
