// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title DecimalsAsset
/// @notice Test-only ERC-20 with chosen decimals: shows that the redemption vault refuses a
/// stablecoin whose decimals its price math does not assume. Never deploy it on a real network.
contract DecimalsAsset is ERC20 {
    uint8 private immutable _DECIMALS;

    /// @param decimals_ The decimals to report.
    constructor(uint8 decimals_) ERC20("Decimals Asset", "DEC") {
        _DECIMALS = decimals_;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _DECIMALS;
    }
}
