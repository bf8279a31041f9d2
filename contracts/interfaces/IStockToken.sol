// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStockToken
/// @notice Errors, events and configuration of a stock token (one ERC-20 per ticker).
interface IStockToken {
    /// @notice Everything a ticker is created with.
    /// @param name ERC-20 name, e.g. "Apple Inc. tokenized stock".
    /// @param symbol ERC-20 symbol, e.g. "AAPLx"; unique per factory.
    /// @param decimals ERC-20 decimals (18 lets holders own fractions of a share).
    /// @param underlyingTicker The exchange ticker of the share, e.g. "AAPL".
    /// @param isin ISIN of the share (may be empty if a CUSIP is given).
    /// @param cusip CUSIP of the share (may be empty if an ISIN is given).
    /// @param issuerName The legal issuer of the token.
    /// @param termsURI Terms / prospectus location.
    /// @param reserveFeed Chainlink-style proof-of-reserve feed: shares held in custody.
    /// @param reserveMaxAge Oldest reserve answer (seconds) minting accepts.
    /// @param minInvestorClass Lowest investor class allowed to hold (0 any).
    /// @param blockUSPersons Refuse US persons (the non-US issuance model; the default).
    /// @param holdingCap Largest raw balance one wallet may hold (0 no cap).
    /// @param blockedJurisdictions ISO 3166-1 numeric codes whose residents may not hold.
    struct TokenConfig {
        string name;
        string symbol;
        uint8 decimals;
        string underlyingTicker;
        string isin;
        string cusip;
        string issuerName;
        string termsURI;
        address reserveFeed;
        uint32 reserveMaxAge;
        uint8 minInvestorClass;
        bool blockUSPersons;
        uint128 holdingCap;
        uint16[] blockedJurisdictions;
    }

    /// @notice The security behind the token.
    struct SecurityInfo {
        string underlyingTicker;
        string isin;
        string cusip;
        string issuerName;
        string termsURI;
    }

    /// @notice A CHAN corporate action's new names.
    /// @param name ERC-20 name.
    /// @param symbol ERC-20 symbol.
    /// @param underlyingTicker The underlying stock's ticker.
    struct Names {
        string name;
        string symbol;
        string underlyingTicker;
    }

    /// @notice A scheduled or past name change.
    /// @param names The names from `effectiveAt` on.
    /// @param effectiveAt When they apply.
    struct NameChange {
        Names names;
        uint256 effectiveAt;
    }

    /// @notice Thrown when the compliance rules refuse a transfer, mint or burn.
    /// @param from Sender (zero for a mint).
    /// @param to Receiver (zero for a burn).
    /// @param value Raw amount.
    /// @param code ERC-1404 restriction code; see {messageForTransferRestriction}.
    error StockTransferRestricted(address from, address to, uint256 value, uint8 code);

    /// @notice Thrown when a mint would take supply, in shares, above the attested reserve.
    /// @param supplyShares Supply after the mint, in shares (token decimals, rounded up).
    /// @param reserveShares Shares held in custody, in token decimals.
    error ReserveExceeded(uint256 supplyShares, uint256 reserveShares);

    /// @notice Thrown when the reserve feed's answer is older than allowed.
    /// @param updatedAt When the feed was last updated.
    /// @param maxAge The allowed age in seconds.
    error StaleReserve(uint256 updatedAt, uint256 maxAge);

    /// @notice Thrown when the reserve feed's answer predates the multiplier in force (it counts
    /// the custodian's shares before a split or reverse split): the custodian posts a fresh one.
    /// @param updatedAt When the feed was last updated.
    /// @param multiplierSince When the multiplier in force took effect.
    error ReserveBeforeMultiplierChange(uint256 updatedAt, uint256 multiplierSince);

    /// @notice Thrown when the reserve feed reports a non-positive amount or none is set.
    /// @param answer The reported answer.
    error InvalidReserve(int256 answer);

    /// @notice Thrown when a wallet recovery names wallets of different investors.
    /// @param lost The lost wallet.
    /// @param replacement The proposed replacement.
    error RecoveryNotSameInvestor(address lost, address replacement);

    /// @notice Thrown when a multiplier update carries a stale nonce.
    /// @param expected The token's current nonce.
    /// @param given The nonce supplied.
    error MultiplierNonceMismatch(uint64 expected, uint64 given);

    /// @notice Thrown when a multiplier update expects another multiplier in force.
    /// @param expected The multiplier the caller expected.
    /// @param actual The multiplier in force.
    error MultiplierMismatch(uint256 expected, uint256 actual);

    /// @notice Thrown when scheduling while another update is still pending.
    /// @param effectiveAt When the pending update takes effect.
    error MultiplierUpdatePending(uint256 effectiveAt);

    /// @notice Thrown when cancelling with no update pending.
    error NoMultiplierUpdatePending();

    /// @notice Thrown for a multiplier of zero or above the maximum.
    /// @param multiplier The value given.
    error InvalidMultiplier(uint256 multiplier);

    /// @notice Thrown for an effective time in the past.
    /// @param effectiveAt The time given.
    error EffectiveAtInPast(uint256 effectiveAt);

    /// @notice Thrown for a policy value out of range.
    /// @param what 1 investor class, 2 jurisdiction code, 3 too many jurisdictions, 4 reserve max age,
    /// 5 decimals
    error InvalidPolicy(uint8 what);

    /// @notice Thrown for the zero address where an account is required.
    error ZeroAddress();

    /// @notice Thrown when batch arrays differ in length.
    /// @param accounts Length of the accounts array.
    /// @param amounts Length of the amounts array.
    error BatchLengthMismatch(uint256 accounts, uint256 amounts);

    /// @notice Emitted when the token is paused or unpaused.
    /// @param account Who did it.
    /// @param paused The new state.
    event PauseChanged(address indexed account, bool paused);

    /// @notice Emitted when the holding policy changes.
    /// @param minInvestorClass Lowest investor class allowed.
    /// @param blockUSPersons Whether US persons are refused.
    /// @param holdingCap Largest raw balance per wallet (0 none).
    /// @param blockedJurisdictions The refused jurisdictions.
    event PolicyUpdated(uint8 minInvestorClass, bool blockUSPersons, uint128 holdingCap, uint16[] blockedJurisdictions);

    /// @notice Emitted when the reserve feed or its staleness bound changes.
    /// @param feed The proof-of-reserve feed.
    /// @param maxAge The staleness bound, seconds.
    event ReserveFeedUpdated(address indexed feed, uint32 maxAge);

    /// @notice Emitted when the terms URI changes.
    /// @param termsURI The new URI.
    event TermsURIUpdated(string termsURI);

    /// @notice Emitted with the reason for a forced transfer.
    /// @param from Source.
    /// @param to Destination.
    /// @param amount Raw amount.
    /// @param reason Why (court order, regulator, ...).
    event ForcedTransferReason(address indexed from, address indexed to, uint256 amount, string reason);

    /// @notice Emitted when a lost wallet's tokens move to a replacement wallet of the same investor.
    /// @param lost The lost wallet.
    /// @param replacement The new wallet.
    /// @param amount Raw amount moved.
    /// @param frozenAmount Frozen amount moved with it.
    /// @param reason Why.
    event WalletRecovered(
        address indexed lost, address indexed replacement, uint256 amount, uint256 frozenAmount, string reason
    );

    /// @notice Emitted when a scheduled multiplier update is cancelled.
    /// @param cancelledMultiplier The multiplier that will not take effect.
    /// @param cancelledEffectiveAt When it would have.
    event UIMultiplierUpdateCancelled(uint256 cancelledMultiplier, uint256 cancelledEffectiveAt);

    /// @notice Emitted when a name change (CHAN) is scheduled.
    /// @param newName ERC-20 name from `effectiveAt`.
    /// @param newSymbol ERC-20 symbol from `effectiveAt`.
    /// @param newUnderlyingTicker Underlying ticker from `effectiveAt`.
    /// @param effectiveAt When they apply (no transaction is needed then).
    event NameChangeScheduled(string newName, string newSymbol, string newUnderlyingTicker, uint256 effectiveAt);

    /// @notice Emitted when a scheduled name change is withdrawn.
    /// @param effectiveAt When it would have applied.
    event NameChangeCancelled(uint256 effectiveAt);

    /// @notice Thrown when scheduling a name change while another is still pending.
    /// @param effectiveAt When the pending one applies.
    error NameChangePending(uint256 effectiveAt);

    /// @notice Thrown when cancelling a name change that is not pending (or another one).
    error NoNameChangePending();

    /// @notice Thrown for an empty name, symbol or underlying ticker.
    error InvalidNames();
}
