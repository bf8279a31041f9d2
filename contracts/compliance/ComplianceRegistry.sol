// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

import {IComplianceRegistry} from "../interfaces/IComplianceRegistry.sol";
import {InvestorRecord} from "./InvestorRecord.sol";

/// @title ComplianceRegistry
/// @notice One investor register for every stock token of the issuer: an officer updates an
/// investor once and every token obeys. Deployed behind an ERC-1967 proxy (UUPS).
/// @dev Invariant: every stored record is well formed (no unknown flag, jurisdiction 1..999,
/// known class); a verified record had a future KYC expiry when written. The transfer path reads
/// exactly one slot per party through {transferRecords}.
contract ComplianceRegistry is Initializable, AccessControlUpgradeable, UUPSUpgradeable, IComplianceRegistry {
    using InvestorRecord for uint256;

    /// @notice May create, replace, remove, freeze and unfreeze investor records.
    bytes32 public constant COMPLIANCE_OFFICER_ROLE = keccak256("COMPLIANCE_OFFICER_ROLE");
    /// @notice May upgrade the registry implementation.
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");

    /// @custom:storage-location erc7201:stocks.storage.ComplianceRegistry
    struct ComplianceRegistryStorage {
        mapping(address wallet => uint256) records;
    }

    // keccak256(abi.encode(uint256(keccak256("stocks.storage.ComplianceRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xdfa62406a1dc6fb2bc8456d6cd25abb8bb3332ec86e6ed0c5026adba015f5e00;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets up the proxy: `admin` gets DEFAULT_ADMIN_ROLE (grants every other role).
    /// @param admin The first administrator (hand it to governance after deployment).
    function initialize(address admin) external initializer {
        if (admin == address(0)) revert RegistryZeroWallet();
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------------------------------
    // Officer operations

    /// @inheritdoc IComplianceRegistry
    function setInvestors(address[] calldata wallets, uint256[] calldata records)
        external
        onlyRole(COMPLIANCE_OFFICER_ROLE)
    {
        if (wallets.length != records.length) revert RegistryLengthMismatch(wallets.length, records.length);
        // The onboarding hot loop (`registry_onboard_per_investor_batch100`): the same reads,
        // checks, write and event as `stored[wallet] = record; emit InvestorUpdated(...)`, minus
        // the bounds checks (i < length of both) and the mapping helper's memory bookkeeping.
        bytes32 topic = InvestorUpdated.selector;
        for (uint256 i; i < wallets.length; ++i) {
            uint256 wallet;
            uint256 record;
            assembly ("memory-safe") {
                wallet := calldataload(add(wallets.offset, shl(5, i))) // wallets[i], unvalidated
                record := calldataload(add(records.offset, shl(5, i))) // records[i]
            }
            // A wallet with dirty high bits is no address: refused like the zero address.
            if (!_isWellFormed(wallet, record)) {
                _revertInvalid(wallet, record);
            }
            assembly ("memory-safe") {
                mstore(0x00, wallet) // mapping key
                mstore(0x20, STORAGE_SLOT) // `records` is the namespace's first slot
                sstore(keccak256(0x00, 0x40), record) // records[wallet] = record
                mstore(0x00, record) // event data
                log2(0x00, 0x20, topic, wallet) // InvestorUpdated(wallet indexed, record)
            }
        }
    }

    /// @inheritdoc IComplianceRegistry
    function removeInvestors(address[] calldata wallets) external onlyRole(COMPLIANCE_OFFICER_ROLE) {
        mapping(address => uint256) storage stored = _getStorage().records;
        for (uint256 i; i < wallets.length; ++i) {
            address wallet = wallets[i];
            if (stored[wallet] == 0) continue;
            delete stored[wallet];
            emit InvestorRemoved(wallet);
        }
    }

    /// @inheritdoc IComplianceRegistry
    function setFrozen(address[] calldata wallets, bool frozen) external onlyRole(COMPLIANCE_OFFICER_ROLE) {
        mapping(address => uint256) storage stored = _getStorage().records;
        for (uint256 i; i < wallets.length; ++i) {
            address wallet = wallets[i];
            uint256 record = stored[wallet];
            if (record == 0) revert RegistryUnknownWallet(wallet);
            uint256 updated = frozen ? record | InvestorRecord.FROZEN : record & ~InvestorRecord.FROZEN;
            if (updated == record) continue;
            stored[wallet] = updated;
            emit InvestorFrozen(wallet, frozen);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Views

    /// @inheritdoc IComplianceRegistry
    function recordOf(address wallet) external view returns (uint256) {
        return _getStorage().records[wallet];
    }

    /// @inheritdoc IComplianceRegistry
    function transferRecords(address from, address to) external view returns (uint256 fromRecord, uint256 toRecord) {
        mapping(address => uint256) storage stored = _getStorage().records;
        if (from != address(0)) fromRecord = stored[from];
        if (to != address(0)) toRecord = stored[to];
    }

    /// @inheritdoc IComplianceRegistry
    function investorOf(address wallet) external view returns (Investor memory) {
        uint256 record = _getStorage().records[wallet];
        return Investor({
            verified: record.has(InvestorRecord.VERIFIED),
            frozen: record.has(InvestorRecord.FROZEN),
            contractAccount: record.has(InvestorRecord.CONTRACT_ACCOUNT),
            usPerson: record.has(InvestorRecord.US_PERSON),
            investorClass: record.investorClass(),
            jurisdiction: record.jurisdiction(),
            kycExpiry: record.kycExpiry(),
            investorId: record.investorId()
        });
    }

    /// @inheritdoc IComplianceRegistry
    function isVerified(address wallet) external view returns (bool) {
        uint256 record = _getStorage().records[wallet];
        return record.has(InvestorRecord.VERIFIED) && !record.has(InvestorRecord.FROZEN)
            && record.kycExpiry() > block.timestamp;
    }

    /// @inheritdoc IComplianceRegistry
    function sameInvestor(address a, address b) external view returns (bool) {
        mapping(address => uint256) storage stored = _getStorage().records;
        uint64 id = stored[a].investorId();
        return id != 0 && id == stored[b].investorId();
    }

    /// @inheritdoc IComplianceRegistry
    function packRecord(uint64 investorId, uint40 kycExpiry, uint16 jurisdiction, uint8 investorClass, uint8 flags)
        external
        pure
        returns (uint256)
    {
        return InvestorRecord.pack(investorId, kycExpiry, jurisdiction, investorClass, flags);
    }

    // ------------------------------------------------------------------------------------------
    // Internal

    /// @dev The hot check of {setInvestors}, branch-free (it runs once per investor onboarded,
    /// see `registry_onboard_per_investor_batch100`); the reason is found only on failure, by
    /// {_revertInvalid}, which checks the same conditions one by one.
    function _isWellFormed(uint256 wallet, uint256 record) private view returns (bool ok) {
        uint256 unknownFlags = 0xff & ~InvestorRecord.KNOWN_FLAGS;
        uint256 maxJurisdiction = InvestorRecord.MAX_JURISDICTION;
        uint256 maxClass = InvestorRecord.MAX_CLASS;
        uint256 verified = InvestorRecord.VERIFIED;
        assembly ("memory-safe") {
            // bits above the record's 136, unknown flags, or a wallet that is no address
            let bad := or(or(shr(136, record), and(record, unknownFlags)), shr(160, wallet))
            bad := or(bad, iszero(wallet)) // the zero address
            // jurisdiction 1..max: 0 wraps around to 2**256 - 1 below
            bad := or(bad, gt(sub(and(shr(16, record), 0xffff), 1), sub(maxJurisdiction, 1)))
            bad := or(bad, gt(and(shr(8, record), 0xff), maxClass)) // a known investor class
            // verified records need a KYC expiry in the future
            let expired := iszero(gt(and(shr(32, record), 0xffffffffff), timestamp()))
            bad := or(bad, and(iszero(iszero(and(record, verified))), expired))
            ok := iszero(bad)
        }
    }

    /// @dev Reverts with the precise reason a record is malformed.
    function _revertInvalid(uint256 rawWallet, uint256 record) private view {
        if (rawWallet >> 160 != 0) revert(); // not an address: refused as the ABI decoder would
        address wallet = address(uint160(rawWallet));
        if (wallet == address(0)) revert RegistryZeroWallet();
        if (record >> 136 != 0 || record.flags() & ~InvestorRecord.KNOWN_FLAGS != 0) {
            revert RegistryInvalidRecord(wallet, record, 1);
        }
        uint16 jurisdiction = record.jurisdiction();
        if (jurisdiction == 0 || jurisdiction > InvestorRecord.MAX_JURISDICTION) {
            revert RegistryInvalidRecord(wallet, record, 2);
        }
        if (record.investorClass() > InvestorRecord.MAX_CLASS) revert RegistryInvalidRecord(wallet, record, 3);
        if (record.has(InvestorRecord.VERIFIED) && record.kycExpiry() <= block.timestamp) {
            revert RegistryInvalidRecord(wallet, record, 4);
        }
        revert RegistryInvalidRecord(wallet, record, 0); // unreachable: {_isWellFormed} agrees
    }

    function _authorizeUpgrade(address) internal override onlyRole(UPGRADER_ROLE) {}

    function _getStorage() private pure returns (ComplianceRegistryStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
