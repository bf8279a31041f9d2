// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ArbSys} from "@arbitrum/nitro-contracts/src/precompiles/ArbSys.sol";

/// @title L2Probe
/// @notice Smoke contract for the local L2: reports what the ArbSys precompile says, so a
/// deploy proves that the chain, the precompile and the toolchain line up.
contract L2Probe {
    /// @notice ArbSys precompile address on every Arbitrum chain.
    ArbSys public constant ARB_SYS = ArbSys(address(0x64));

    /// @notice Emitted by {ping} with what the precompile reported.
    /// @param caller Who pinged.
    /// @param arbChainId ArbSys.arbChainID().
    /// @param arbBlockNumber ArbSys.arbBlockNumber().
    event Pinged(address indexed caller, uint256 arbChainId, uint256 arbBlockNumber);

    /// @notice The chain id and L2 block number as ArbSys reports them.
    function arbInfo() external view returns (uint256 chainId, uint256 blockNumber) {
        return (ARB_SYS.arbChainID(), ARB_SYS.arbBlockNumber());
    }

    /// @notice Records the precompile's answers in an event.
    function ping() external {
        emit Pinged(msg.sender, ARB_SYS.arbChainID(), ARB_SYS.arbBlockNumber());
    }
}
