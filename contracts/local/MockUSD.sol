// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title MockUSD
/// @notice The local L2's stand-in for a 6-decimal USD stablecoin (USDC-like): dividends and
/// redemptions settle in it locally. Its owner mints. Never deploy it on a real network.
contract MockUSD is ERC20, ERC20Permit, Ownable {
    /// @param owner_ Who may mint.
    constructor(address owner_) ERC20("Mock USD", "mUSD") ERC20Permit("Mock USD") Ownable(owner_) {}

    /// @notice Mints `amount` (6 decimals) to `to`.
    /// @param to Receiver.
    /// @param amount Amount in 6-decimal units.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
