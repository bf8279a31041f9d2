// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IComplianceRegistry} from "../interfaces/IComplianceRegistry.sol";
import {StockToken} from "../token/StockToken.sol";

/// @title StockTokenV2Mock
/// @notice Test-only successor implementation, to prove a beacon upgrade keeps every ticker's state.
contract StockTokenV2Mock is StockToken {
    /// @param registry The same registry as the current implementation.
    constructor(IComplianceRegistry registry) StockToken(registry) {}

    /// @notice Identifies the upgraded implementation.
    function version() external pure returns (string memory) {
        return "2";
    }
}
