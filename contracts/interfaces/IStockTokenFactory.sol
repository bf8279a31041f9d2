// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStockTokenFactory
/// @notice The ticker factory's symbol register (what tokens call on a name change), its errors
/// and events.
/// @dev Invariant: no two tokens of one factory hold, report or have scheduled the same symbol.
/// A token keeps every symbol it has held (a rename does not free the old one: `tokenOf(old)`
/// still finds the renamed token); a symbol reserved by a scheduled rename is freed again only
/// when that rename is cancelled.
interface IStockTokenFactory {
    /// @notice Emitted when a ticker is created.
    /// @param token The token (beacon proxy).
    /// @param symbol Its ERC-20 symbol.
    /// @param underlyingTicker The share's ticker.
    /// @param isin The share's ISIN (may be empty).
    event TokenCreated(address indexed token, string symbol, string underlyingTicker, string isin);

    /// @notice Emitted when every ticker moves to a new implementation.
    /// @param implementation The new implementation.
    event TokensUpgraded(address indexed implementation);

    /// @notice Emitted when a token's scheduled rename reserves a symbol it did not hold.
    /// @param token The token.
    /// @param symbol The symbol now registered to it.
    event SymbolReserved(address indexed token, string symbol);

    /// @notice Emitted when a cancelled rename gives back the symbol it had reserved.
    /// @param token The token.
    /// @param symbol The symbol, free again.
    event SymbolReleased(address indexed token, string symbol);

    /// @notice Thrown when a symbol is taken.
    /// @param symbol The symbol.
    /// @param token The token that has it.
    error SymbolTaken(string symbol, address token);

    /// @notice Thrown when an implementation uses another registry.
    /// @param expected The factory's registry.
    /// @param actual The implementation's.
    error RegistryMismatch(address expected, address actual);

    /// @notice Thrown for a zero address argument.
    error FactoryZeroAddress();

    /// @notice Thrown when an account that is not a token of this factory asks for a symbol.
    /// @param caller The caller.
    error NotFactoryToken(address caller);

    /// @notice Registers `symbol` to the calling token for its scheduled rename; refused when
    /// another token holds it. Only tokens created by this factory may call.
    /// @param symbol The symbol the rename gives the token.
    function reserveSymbol(string calldata symbol) external;

    /// @notice Frees the symbol the calling token's last {reserveSymbol} registered, if that
    /// call registered a new one (its rename was cancelled); nothing otherwise.
    function releaseSymbol() external;

    /// @notice The token holding `symbol` (current, scheduled or former), or the zero address.
    /// @param symbol An ERC-20 symbol.
    function tokenOf(string calldata symbol) external view returns (address);
}
