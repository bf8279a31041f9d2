// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title ManualFeed
/// @notice A Chainlink-style feed whose answers its owner posts: the local L2's stand-in for
/// proof-of-reserve, price and sequencer-uptime feeds. Never a substitute on a real network.
contract ManualFeed is AggregatorV3Interface, Ownable {
    struct Round {
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
    }

    uint8 public immutable override decimals;
    string public override description;
    uint80 private _latestRound;
    mapping(uint80 roundId => Round) private _rounds;

    /// @notice Emitted for every posted answer.
    /// @param roundId The new round.
    /// @param answer The answer.
    /// @param updatedAt Its timestamp.
    event AnswerPosted(uint80 indexed roundId, int256 answer, uint256 updatedAt);

    /// @notice Thrown when reading a round that does not exist.
    /// @param roundId The round asked for.
    error NoSuchRound(uint80 roundId);

    /// @param decimals_ Decimals of the answers.
    /// @param description_ What the feed reports.
    /// @param owner_ Who may post answers.
    constructor(uint8 decimals_, string memory description_, address owner_) Ownable(owner_) {
        decimals = decimals_;
        description = description_;
    }

    /// @notice Posts a new answer stamped now.
    /// @param answer The answer.
    function postAnswer(int256 answer) external onlyOwner {
        _post(answer, block.timestamp, block.timestamp);
    }

    /// @notice Posts a new answer with explicit times (to model stale or restarted feeds).
    /// @param answer The answer.
    /// @param startedAt The round's start (for uptime feeds: when the status last changed).
    /// @param updatedAt When the answer was computed.
    function postAnswerAt(int256 answer, uint256 startedAt, uint256 updatedAt) external onlyOwner {
        _post(answer, startedAt, updatedAt);
    }

    /// @notice Always 1.
    function version() external pure override returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId)
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        if (roundId == 0 || roundId > _latestRound) revert NoSuchRound(roundId);
        Round memory r = _rounds[roundId];
        return (roundId, r.answer, r.startedAt, r.updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        uint80 id = _latestRound;
        if (id == 0) revert NoSuchRound(0);
        Round memory r = _rounds[id];
        return (id, r.answer, r.startedAt, r.updatedAt, id);
    }

    function _post(int256 answer, uint256 startedAt, uint256 updatedAt) private {
        uint80 id = ++_latestRound;
        _rounds[id] = Round(answer, startedAt, updatedAt);
        emit AnswerPosted(id, answer, updatedAt);
    }
}
