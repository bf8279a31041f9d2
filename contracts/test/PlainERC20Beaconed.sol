// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BeaconProxy} from "@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol";
import {UpgradeableBeacon} from "@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";

/// @title PlainERC20Upgradeable
/// @notice Benchmark baseline: an unmodified OpenZeppelin ERC-20 (upgradeable variant) with open
/// minting, deployed behind the same kind of beacon proxy as the stock tokens. `make bench`
/// measures its transfer as `erc20_transfer_beacon_proxied`: what the proxy alone costs, so the
/// stock token's extra over it is the compliance check. Never deploy it outside a local chain.
contract PlainERC20Upgradeable is ERC20Upgradeable {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets the proxy's name and symbol.
    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    function initialize(string calldata name_, string calldata symbol_) external initializer {
        __ERC20_init(name_, symbol_);
    }

    /// @notice Mints `amount` to `to`; anyone may call (test token).
    /// @param to Receiver.
    /// @param amount Raw amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @title PlainBeacon
/// @notice OpenZeppelin's UpgradeableBeacon, under a name the benchmark can deploy.
contract PlainBeacon is UpgradeableBeacon {
    /// @param implementation The first implementation.
    /// @param owner Who may upgrade it.
    constructor(address implementation, address owner) UpgradeableBeacon(implementation, owner) {}
}

/// @title PlainBeaconProxy
/// @notice OpenZeppelin's BeaconProxy, as the factory deploys one per ticker.
contract PlainBeaconProxy is BeaconProxy {
    /// @param beacon The beacon.
    /// @param data The initializer call.
    constructor(address beacon, bytes memory data) payable BeaconProxy(beacon, data) {}
}
