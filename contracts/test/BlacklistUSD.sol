// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BlacklistUSD
/// @notice Test-only 6-decimal stablecoin with a USDC-style blacklist: a blacklisted account can
/// neither send nor receive. Tests dividend payouts to an account the stablecoin refuses. It
/// emits no event of its own, so the audit's event catalog (stocksuite/audit.py) stays free of
/// test-only names; `blacklisted` is public.
contract BlacklistUSD is ERC20, Ownable {
    /// @notice Accounts that cannot send or receive.
    mapping(address account => bool) public blacklisted;

    /// @notice Thrown when a transfer involves a blacklisted account.
    /// @param account The blacklisted account.
    error AccountBlacklisted(address account);

    /// @param owner_ Who may mint and blacklist.
    constructor(address owner_) ERC20("Blacklist USD", "bUSD") Ownable(owner_) {}

    /// @notice Mints `amount` (6 decimals) to `to`.
    /// @param to Receiver.
    /// @param amount Amount in 6-decimal units.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Blacklists or clears `account`.
    /// @param account The account.
    /// @param listed Whether it is blacklisted.
    function setBlacklisted(address account, bool listed) external onlyOwner {
        blacklisted[account] = listed;
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blacklisted[from]) revert AccountBlacklisted(from);
        if (blacklisted[to]) revert AccountBlacklisted(to);
        super._update(from, to, value);
    }
}
