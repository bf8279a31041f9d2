// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @title RegistryProxy
/// @notice The ERC-1967 proxy in front of the (UUPS) compliance registry: OpenZeppelin's, named
/// so deployment records and explorers show what it is.
contract RegistryProxy is ERC1967Proxy {
    /// @param implementation The ComplianceRegistry implementation.
    /// @param data The initializer call.
    constructor(address implementation, bytes memory data) payable ERC1967Proxy(implementation, data) {}
}
