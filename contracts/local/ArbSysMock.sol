// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ArbSys} from "@arbitrum/nitro-contracts/src/precompiles/ArbSys.sol";

/// @title ArbSysMock
/// @notice Local stand-in for Arbitrum's ArbSys precompile, installed at 0x64 on the local L2
/// with `anvil_setCode` (no constructor runs, so it keeps no state).
/// @dev On the local chain there is no L1 and no retryable ticket, so:
/// - `arbBlockNumber` is the chain's own block number (on Arbitrum `block.number` is the L1
///   block; this suite never uses either in logic, only timestamps);
/// - no caller is ever aliased, and `myCallersAddressWithoutAliasing` returns the transaction
///   origin, which is the caller's caller whenever an EOA calls the contract that asks;
/// - L2-to-L1 messaging (`sendTxToL1`, `withdrawEth`, `sendMerkleTreeState`) reverts with
///   {UnsupportedOnLocalL2}; anything else not listed reverts as an unknown selector.
// slither-disable-next-line locked-ether -- its payable functions always revert, no ether can arrive
contract ArbSysMock {
    /// @notice The ArbOS version this mock reports: 55 + 40 (ArbOS 40, "Callisto").
    uint256 public constant ARBOS_VERSION = 95;

    /// @dev Offset Arbitrum adds to an L1 contract address to alias it on L2.
    uint160 private constant ALIAS_OFFSET = uint160(0x1111000000000000000000000000000000001111);

    /// @notice Thrown for L2-to-L1 messaging, which needs an L1 the local chain does not have.
    /// @param selector The ArbSys function that was called.
    error UnsupportedOnLocalL2(bytes4 selector);

    /// @notice The current L2 block number.
    function arbBlockNumber() external view returns (uint256) {
        return block.number;
    }

    /// @notice The hash of a recent L2 block (zero outside the last 256 blocks).
    /// @param arbBlockNum The block number to look up.
    function arbBlockHash(uint256 arbBlockNum) external view returns (bytes32) {
        return blockhash(arbBlockNum);
    }

    /// @notice The chain id, as the real precompile reports it.
    function arbChainID() external view returns (uint256) {
        return block.chainid;
    }

    /// @notice The ArbOS version plus 55, as the real precompile reports it.
    function arbOSVersion() external pure returns (uint256) {
        return ARBOS_VERSION;
    }

    /// @notice Storage gas is not metered separately on Arbitrum Nitro; always zero.
    function getStorageGasAvailable() external pure returns (uint256) {
        return 0;
    }

    /// @notice Whether the caller of this function was called directly by an EOA.
    function isTopLevelCall() external view returns (bool) {
        // solhint-disable-next-line avoid-tx-origin
        return msg.sender.code.length == 0 || tx.origin == msg.sender;
    }

    /// @notice The L2 alias of an L1 contract address.
    /// @param sender The L1 address.
    function mapL1SenderContractAddressToL2Alias(address sender, address) external pure returns (address) {
        unchecked {
            // Wrapping addition is the aliasing rule itself (mod 2^160).
            return address(uint160(sender) + ALIAS_OFFSET);
        }
    }

    /// @notice Whether the caller's caller was an aliased L1 contract: never on the local L2.
    function wasMyCallersAddressAliased() external pure returns (bool) {
        return false;
    }

    /// @notice The caller's caller, unaliased (the transaction origin on the local L2).
    function myCallersAddressWithoutAliasing() external view returns (address) {
        // solhint-disable-next-line avoid-tx-origin
        return tx.origin;
    }

    /// @notice Not available locally: reverts with {UnsupportedOnLocalL2}.
    function sendTxToL1(address, bytes calldata) external payable returns (uint256) {
        revert UnsupportedOnLocalL2(ArbSys.sendTxToL1.selector);
    }

    /// @notice Not available locally: reverts with {UnsupportedOnLocalL2}.
    function withdrawEth(address) external payable returns (uint256) {
        revert UnsupportedOnLocalL2(ArbSys.withdrawEth.selector);
    }

    /// @notice Not available locally: reverts with {UnsupportedOnLocalL2}.
    function sendMerkleTreeState() external pure returns (uint256, bytes32, bytes32[] memory) {
        revert UnsupportedOnLocalL2(ArbSys.sendMerkleTreeState.selector);
    }
}
