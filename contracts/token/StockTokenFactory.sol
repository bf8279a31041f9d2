// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {BeaconProxy} from "@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol";
import {UpgradeableBeacon} from "@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol";

import {IComplianceRegistry} from "../interfaces/IComplianceRegistry.sol";
import {IStockToken} from "../interfaces/IStockToken.sol";
import {StockToken} from "./StockToken.sol";

/// @title StockTokenFactory
/// @notice Deploys one beacon proxy per ticker in one transaction, and owns the beacon that
/// upgrades every ticker at once.
/// @dev Invariants: symbols are unique; every implementation the beacon points to uses the
/// factory's compliance registry.
contract StockTokenFactory is AccessControl {
    /// @notice May create tickers.
    bytes32 public constant TOKEN_DEPLOYER_ROLE = keccak256("TOKEN_DEPLOYER_ROLE");
    /// @notice May upgrade the implementation of every ticker.
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");

    /// @notice The beacon every ticker's proxy follows (owned by this factory).
    UpgradeableBeacon public immutable BEACON;
    /// @notice The registry every ticker obeys.
    IComplianceRegistry public immutable REGISTRY;

    mapping(bytes32 symbolHash => address) private _tokenBySymbol;
    address[] private _tokens;

    /// @notice Emitted when a ticker is created.
    /// @param token The token (beacon proxy).
    /// @param symbol Its ERC-20 symbol.
    /// @param underlyingTicker The share's ticker.
    /// @param isin The share's ISIN (may be empty).
    event TokenCreated(address indexed token, string symbol, string underlyingTicker, string isin);

    /// @notice Emitted when every ticker moves to a new implementation.
    /// @param implementation The new implementation.
    event TokensUpgraded(address indexed implementation);

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

    /// @param implementation The first StockToken implementation.
    /// @param admin Gets DEFAULT_ADMIN_ROLE (grants the deployer and upgrader roles).
    constructor(StockToken implementation, address admin) {
        if (admin == address(0) || address(implementation) == address(0)) revert FactoryZeroAddress();
        REGISTRY = implementation.REGISTRY();
        BEACON = new UpgradeableBeacon(address(implementation), address(this));
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Deploys a ticker and initializes it; `tokenAdmin` administers it.
    /// @param config The ticker's configuration.
    /// @param tokenAdmin The token's DEFAULT_ADMIN_ROLE holder.
    /// @return token The new token's address.
    function createToken(IStockToken.TokenConfig calldata config, address tokenAdmin)
        external
        onlyRole(TOKEN_DEPLOYER_ROLE)
        returns (address token)
    {
        bytes32 key = keccak256(bytes(config.symbol));
        address existing = _tokenBySymbol[key];
        if (existing != address(0)) revert SymbolTaken(config.symbol, existing);
        token = address(new BeaconProxy(address(BEACON), abi.encodeCall(StockToken.initialize, (config, tokenAdmin))));
        _tokenBySymbol[key] = token;
        _tokens.push(token);
        emit TokenCreated(token, config.symbol, config.underlyingTicker, config.isin);
    }

    /// @notice Points every ticker at a new implementation in one transaction.
    /// @param implementation The new StockToken implementation (same registry).
    function upgradeTokens(StockToken implementation) external onlyRole(UPGRADER_ROLE) {
        address registry = address(implementation.REGISTRY());
        if (registry != address(REGISTRY)) revert RegistryMismatch(address(REGISTRY), registry);
        BEACON.upgradeTo(address(implementation));
        emit TokensUpgraded(address(implementation));
    }

    /// @notice Hands the beacon to another owner (e.g. a successor factory or a timelock).
    /// @param newOwner The new owner.
    function transferBeaconOwnership(address newOwner) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newOwner == address(0)) revert FactoryZeroAddress();
        BEACON.transferOwnership(newOwner);
    }

    /// @notice The implementation every ticker runs.
    function implementation() external view returns (address) {
        return BEACON.implementation();
    }

    /// @notice The token with `symbol`, or the zero address.
    /// @param symbol An ERC-20 symbol.
    function tokenOf(string calldata symbol) external view returns (address) {
        return _tokenBySymbol[keccak256(bytes(symbol))];
    }

    /// @notice How many tickers exist.
    function tokenCount() external view returns (uint256) {
        return _tokens.length;
    }

    /// @notice The `index`-th ticker created.
    /// @param index 0-based.
    function tokenAt(uint256 index) external view returns (address) {
        return _tokens[index];
    }
}
