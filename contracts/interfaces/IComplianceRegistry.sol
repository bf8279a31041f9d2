// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IComplianceRegistry
/// @notice The investor register shared by every stock token: KYC status and expiry,
/// jurisdiction, investor class, freeze, and which wallets belong to one investor.
/// Records are packed words (see {InvestorRecord}); every change emits an event carrying the
/// whole new record, so anyone can rebuild the register from logs.
interface IComplianceRegistry {
    /// @notice A decoded record.
    struct Investor {
        bool verified;
        bool frozen;
        bool contractAccount;
        bool usPerson;
        uint8 investorClass;
        uint16 jurisdiction;
        uint40 kycExpiry;
        uint64 investorId;
    }

    /// @notice Emitted when a wallet's record is created or replaced.
    /// @param wallet The wallet.
    /// @param record The packed record now in force.
    event InvestorUpdated(address indexed wallet, uint256 record);

    /// @notice Emitted when a wallet's record is deleted.
    /// @param wallet The wallet.
    event InvestorRemoved(address indexed wallet);

    /// @notice Emitted when a wallet is frozen or unfrozen (the FROZEN flag of its record).
    /// @param wallet The wallet.
    /// @param frozen Whether it is frozen now.
    event InvestorFrozen(address indexed wallet, bool frozen);

    /// @notice Thrown when two batch arrays differ in length.
    /// @param wallets Length of the wallets array.
    /// @param records Length of the records array.
    error RegistryLengthMismatch(uint256 wallets, uint256 records);

    /// @notice Thrown for the zero address as a wallet.
    error RegistryZeroWallet();

    /// @notice Thrown when a record is malformed.
    /// @param wallet The wallet it was meant for.
    /// @param record The packed record.
    /// @param reason 1 unknown flag or reserved bits set, 2 jurisdiction not 1..999,
    /// 3 unknown investor class, 4 verified with a KYC expiry not in the future
    error RegistryInvalidRecord(address wallet, uint256 record, uint8 reason);

    /// @notice Thrown when freezing or unfreezing a wallet that has no record.
    /// @param wallet The wallet.
    error RegistryUnknownWallet(address wallet);

    /// @notice Creates or replaces records (compliance officer).
    /// @param wallets The wallets.
    /// @param records Their packed records, same order.
    function setInvestors(address[] calldata wallets, uint256[] calldata records) external;

    /// @notice Deletes records (compliance officer). Unknown wallets are skipped.
    /// @param wallets The wallets.
    function removeInvestors(address[] calldata wallets) external;

    /// @notice Freezes or unfreezes wallets in every token at once (compliance officer).
    /// @param wallets The wallets (each must have a record).
    /// @param frozen The new state.
    function setFrozen(address[] calldata wallets, bool frozen) external;

    /// @notice The packed record of `wallet` (zero when unknown).
    /// @param wallet The wallet.
    function recordOf(address wallet) external view returns (uint256);

    /// @notice The packed records of both parties of a transfer, in one call. The zero address
    /// (mint or burn side) reads as zero without touching storage.
    /// @param from Sender.
    /// @param to Receiver.
    function transferRecords(address from, address to) external view returns (uint256 fromRecord, uint256 toRecord);

    /// @notice The decoded record of `wallet`.
    /// @param wallet The wallet.
    function investorOf(address wallet) external view returns (Investor memory);

    /// @notice Whether `wallet` is verified, not frozen and its KYC has not expired.
    /// @param wallet The wallet.
    function isVerified(address wallet) external view returns (bool);

    /// @notice Whether two wallets belong to the same investor (equal non-zero investor ids).
    /// @param a One wallet.
    /// @param b Another wallet.
    function sameInvestor(address a, address b) external view returns (bool);

    /// @notice Packs a record (helper for integrators and tooling).
    /// @param investorId Investor id (0: the wallet is not linked to others).
    /// @param kycExpiry KYC expiry, unix seconds.
    /// @param jurisdiction ISO 3166-1 numeric code.
    /// @param investorClass 0 none, 1 retail, 2 professional, 3 accredited, 4 qualified purchaser.
    /// @param flags Bit 0 verified, 1 frozen, 2 contract account, 3 US person.
    function packRecord(uint64 investorId, uint40 kycExpiry, uint16 jurisdiction, uint8 investorClass, uint8 flags)
        external
        pure
        returns (uint256);
}
