// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @title UUPSProxy
/// @notice The ERC-1967 proxy in front of the suite's UUPS contracts (compliance registry,
/// corporate actions): OpenZeppelin's, compiled here so deploy tooling and records can name it.
contract UUPSProxy is ERC1967Proxy {
    /// @param implementation The implementation (ComplianceRegistry, CorporateActions).
    /// @param data The initializer call.
    constructor(address implementation, bytes memory data) payable ERC1967Proxy(implementation, data) {}
}
