// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {BeaconProxy} from "@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol";
import {UpgradeableBeacon} from "@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol";

import {IComplianceRegistry} from "../interfaces/IComplianceRegistry.sol";
import {IStockToken} from "../interfaces/IStockToken.sol";
import {IStockTokenFactory} from "../interfaces/IStockTokenFactory.sol";
import {StockToken} from "./StockToken.sol";

/// @title StockTokenFactory
/// @notice Deploys one beacon proxy per ticker in one transaction, and owns the beacon that
/// upgrades every ticker at once.
/// @dev Invariants: no two tickers hold, report or have scheduled one symbol (the register
/// follows renames: a ticker's {StockToken.scheduleNameChange} reserves its new symbol here and
/// keeps the old one, see {IStockTokenFactory}); every implementation the beacon points to uses
/// the factory's compliance registry.
contract StockTokenFactory is AccessControl, IStockTokenFactory {
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
    mapping(address token => bool) private _created;
    // The symbol a token's last reserveSymbol newly registered ("" if it held it already):
    // freed by releaseSymbol when that rename is cancelled.
    mapping(address token => string) private _reservedByRename;

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
        _created[token] = true;
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

    /// @inheritdoc IStockTokenFactory
    function reserveSymbol(string calldata symbol) external {
        if (!_created[msg.sender]) revert NotFactoryToken(msg.sender);
        bytes32 key = keccak256(bytes(symbol));
        address holder = _tokenBySymbol[key];
        if (holder == msg.sender) {
            delete _reservedByRename[msg.sender]; // its own already: a cancel keeps it
            return;
        }
        if (holder != address(0)) revert SymbolTaken(symbol, holder);
        _tokenBySymbol[key] = msg.sender;
        _reservedByRename[msg.sender] = symbol;
        emit SymbolReserved(msg.sender, symbol);
    }

    /// @inheritdoc IStockTokenFactory
    function releaseSymbol() external {
        string memory symbol = _reservedByRename[msg.sender];
        if (bytes(symbol).length == 0) return;
        delete _reservedByRename[msg.sender];
        delete _tokenBySymbol[keccak256(bytes(symbol))];
        emit SymbolReleased(msg.sender, symbol);
    }

    /// @inheritdoc IStockTokenFactory
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
