// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title InvestorRecord
/// @notice One investor wallet's compliance record, packed into a single storage word so a
/// transfer check costs one cold read per party.
/// @dev Layout (low to high bits):
///   [0, 8)     flags: bit 0 VERIFIED, bit 1 FROZEN, bit 2 CONTRACT_ACCOUNT, bit 3 US_PERSON
///   [8, 16)    investor class (see the CLASS_* constants)
///   [16, 32)   jurisdiction, ISO 3166-1 numeric (1..999)
///   [32, 72)   KYC expiry, unix seconds
///   [72, 136)  investor id: wallets with the same non-zero id belong to one investor
///   [136, 256) must be zero
library InvestorRecord {
    uint256 internal constant VERIFIED = 1 << 0;
    uint256 internal constant FROZEN = 1 << 1;
    /// @dev An issuer-approved contract account (vault, AMM pool, custodian omnibus): exempt
    /// from the jurisdiction, class and holding-cap rules, which describe natural persons.
    uint256 internal constant CONTRACT_ACCOUNT = 1 << 2;
    /// @dev A US person in the Regulation S sense (citizens abroad included), whatever the
    /// jurisdiction of residence says.
    uint256 internal constant US_PERSON = 1 << 3;
    uint256 internal constant KNOWN_FLAGS = VERIFIED | FROZEN | CONTRACT_ACCOUNT | US_PERSON;

    uint8 internal constant CLASS_NONE = 0;
    uint8 internal constant CLASS_RETAIL = 1;
    uint8 internal constant CLASS_PROFESSIONAL = 2;
    uint8 internal constant CLASS_ACCREDITED = 3;
    uint8 internal constant CLASS_QUALIFIED_PURCHASER = 4;
    uint8 internal constant MAX_CLASS = CLASS_QUALIFIED_PURCHASER;

    uint256 internal constant MAX_JURISDICTION = 999;

    function pack(uint64 investorId, uint40 kycExpiry, uint16 jurisdiction, uint8 investorClass, uint8 flags)
        internal
        pure
        returns (uint256)
    {
        return uint256(flags) | (uint256(investorClass) << 8) | (uint256(jurisdiction) << 16)
            | (uint256(kycExpiry) << 32) | (uint256(investorId) << 72);
    }

    function flags(uint256 record) internal pure returns (uint256) {
        return record & 0xff;
    }

    function investorClass(uint256 record) internal pure returns (uint8) {
        return uint8(record >> 8);
    }

    function jurisdiction(uint256 record) internal pure returns (uint16) {
        return uint16(record >> 16);
    }

    function kycExpiry(uint256 record) internal pure returns (uint40) {
        return uint40(record >> 32);
    }

    function investorId(uint256 record) internal pure returns (uint64) {
        return uint64(record >> 72);
    }

    function has(uint256 record, uint256 flag) internal pure returns (bool) {
        return record & flag != 0;
    }
}
