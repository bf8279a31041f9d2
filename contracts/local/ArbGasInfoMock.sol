// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ArbGasInfoMock
/// @notice Local stand-in for Arbitrum's ArbGasInfo precompile, installed at 0x6c on the local
/// L2 with `anvil_setCode`. The local chain posts no batches to an L1, so every L1 component is
/// zero and L2 prices come from the block's base fee.
contract ArbGasInfoMock {
    /// @notice Arbitrum One's minimum L2 gas price (0.01 gwei).
    uint256 public constant MINIMUM_GAS_PRICE = 0.01 gwei;

    /// @notice Prices in wei: per L2 tx, per L1 calldata byte, per storage allocation,
    /// per ArbGas base, congestion, total.
    function getPricesInWei() external view returns (uint256, uint256, uint256, uint256, uint256, uint256) {
        uint256 l2Price = _l2GasPrice();
        return (0, 0, 0, l2Price, 0, l2Price);
    }

    /// @notice Prices in ArbGas: per L2 tx, per L1 calldata byte, per storage allocation.
    function getPricesInArbGas() external pure returns (uint256, uint256, uint256) {
        return (0, 0, 0);
    }

    /// @notice The minimum L2 gas price.
    function getMinimumGasPrice() external pure returns (uint256) {
        return MINIMUM_GAS_PRICE;
    }

    /// @notice The L1 base fee estimate: zero, the local chain has no L1.
    function getL1BaseFeeEstimate() external pure returns (uint256) {
        return 0;
    }

    /// @notice The L1 gas price estimate: zero, the local chain has no L1.
    function getL1GasPriceEstimate() external pure returns (uint256) {
        return 0;
    }

    /// @notice The L1 fees paid by the current transaction: zero locally.
    function getCurrentTxL1GasFees() external pure returns (uint256) {
        return 0;
    }

    function _l2GasPrice() private view returns (uint256) {
        return block.basefee > MINIMUM_GAS_PRICE ? block.basefee : MINIMUM_GAS_PRICE;
    }
}
