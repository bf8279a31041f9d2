// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICorporateActions
/// @notice Splits, stock dividends, reinvested dividends and cash dividends for every ticker.
/// Event kinds follow ISO 15022 corporate-action event codes.
interface ICorporateActions {
    /// @notice ISO 15022 CAEV codes: forward split, reverse split, stock dividend, cash dividend,
    /// dividend reinvestment, name change.
    enum Kind {
        SPLF,
        SPLR,
        DVSE,
        DVCA,
        DRIP,
        CHAN
    }

    /// @notice Lifecycle of an action.
    enum Status {
        None,
        Announced,
        Cancelled,
        Reclaimed
    }

    /// @notice Why {payBatch} left an entitlement unpaid (in DividendPaymentSkipped; never None).
    /// @dev None: payable. AlreadyClaimed: paid before (e.g. its holder claimed first).
    /// ClaimantFrozen: the registry freezes the account ({claim} refuses it too).
    /// FundingExceeded: paying it would take the dividend's payments past its own funding.
    /// TransferFailed: the stablecoin refused the transfer (e.g. it blacklists the account).
    enum SkipReason {
        None,
        AlreadyClaimed,
        ClaimantFrozen,
        FundingExceeded,
        TransferFailed
    }

    /// @notice Terms of a cash dividend, as declared.
    /// @param token The stock token.
    /// @param stablecoin The 6-decimal payment token.
    /// @param amountPerShare Gross stablecoin units per whole share.
    /// @param recordTime Entitlement is the holding (in shares) at this time.
    /// @param paymentTime Claims open.
    /// @param claimExpiry Claims close; the rest returns to the issuer.
    /// @param merkleRoot Root over (index, account, net, withholding) leaves (OpenZeppelin StandardMerkleTree).
    /// @param leafCount Number of leaves; their indices are 0 .. leafCount - 1.
    /// @param totalNet Sum of net entitlements.
    /// @param totalWithholding Sum of withheld tax.
    /// @param taxAccount Receives the withheld tax.
    /// @param uri Where the entitlement file is published.
    struct DividendTerms {
        address token;
        address stablecoin;
        uint256 amountPerShare;
        uint64 recordTime;
        uint64 paymentTime;
        uint64 claimExpiry;
        bytes32 merkleRoot;
        uint32 leafCount;
        uint128 totalNet;
        uint128 totalWithholding;
        address taxAccount;
        string uri;
    }

    /// @notice One payment of a batch payout.
    struct Claim {
        uint256 index;
        address account;
        uint256 net;
        uint256 withholding;
        bytes32[] proof;
    }

    /// @notice Emitted when a split, stock dividend or reinvestment is announced.
    /// @param id Action id.
    /// @param kind SPLF, SPLR, DVSE or DRIP.
    /// @param token The stock token.
    /// @param effectiveAt When the new multiplier takes over (no transaction needed then).
    /// @param numerator Ratio numerator (new shares).
    /// @param denominator Ratio denominator (old shares).
    /// @param oldMultiplier Multiplier before.
    /// @param newMultiplier Multiplier after.
    event MultiplierActionAnnounced(
        uint256 indexed id,
        Kind kind,
        address indexed token,
        uint64 effectiveAt,
        uint256 numerator,
        uint256 denominator,
        uint256 oldMultiplier,
        uint256 newMultiplier
    );

    /// @notice Emitted when a name change (CHAN) is announced.
    /// @param id Action id.
    /// @param token The stock token.
    /// @param effectiveAt When the new names apply (no transaction needed then).
    /// @param oldName ERC-20 name before.
    /// @param oldSymbol ERC-20 symbol before.
    /// @param oldUnderlyingTicker Underlying ticker before.
    /// @param newName ERC-20 name after.
    /// @param newSymbol ERC-20 symbol after.
    /// @param newUnderlyingTicker Underlying ticker after.
    event NameChangeAnnounced(
        uint256 indexed id,
        address indexed token,
        uint64 effectiveAt,
        string oldName,
        string oldSymbol,
        string oldUnderlyingTicker,
        string newName,
        string newSymbol,
        string newUnderlyingTicker
    );

    /// @notice Emitted for a dividend reinvestment, with its terms.
    /// @param id Action id.
    /// @param grossPerShare Gross dividend per share (stablecoin units).
    /// @param referencePrice Reference price per share (stablecoin units).
    /// @param withholdingBps The one withholding rate applied.
    event ReinvestmentTerms(uint256 indexed id, uint256 grossPerShare, uint256 referencePrice, uint16 withholdingBps);

    /// @notice Emitted when a cash dividend is declared and funded.
    /// @param id Action id.
    /// @param token The stock token.
    /// @param terms The full terms.
    event DividendDeclared(uint256 indexed id, address indexed token, DividendTerms terms);

    /// @notice Emitted with a dividend's withholding table, so anyone can recompute the root.
    /// @param id Action id.
    /// @param jurisdictions ISO 3166-1 numeric codes with their own rate.
    /// @param bps Their rates in basis points.
    /// @param defaultBps Rate for every other jurisdiction.
    /// @param excluded Holders with no entitlement (e.g. the issuer's treasury).
    event DividendWithholdingTable(
        uint256 indexed id, uint16[] jurisdictions, uint16[] bps, uint16 defaultBps, address[] excluded
    );

    /// @notice Emitted for every payment.
    /// @param id Action id.
    /// @param index Leaf index.
    /// @param account The holder at the record time.
    /// @param net Paid to the holder.
    /// @param withholding Withheld for the tax account.
    event DividendPaid(uint256 indexed id, uint256 index, address indexed account, uint256 net, uint256 withholding);

    /// @notice Emitted when {payBatch} leaves an entitlement unpaid and goes on with the rest;
    /// its claimed bit and the dividend's sums are untouched, so it can be paid later.
    /// @param id Action id.
    /// @param index Leaf index.
    /// @param account The holder at the record time.
    /// @param reason Why it was not paid.
    event DividendPaymentSkipped(uint256 indexed id, uint256 index, address indexed account, SkipReason reason);

    /// @notice Emitted when withheld tax is remitted.
    /// @param id Action id.
    /// @param taxAccount Receiver.
    /// @param amount Amount remitted.
    event WithholdingRemitted(uint256 indexed id, address indexed taxAccount, uint256 amount);

    /// @notice Emitted when unclaimed funds return to the issuer after expiry.
    /// @param id Action id.
    /// @param to The funder.
    /// @param amount Amount returned.
    event DividendReclaimed(uint256 indexed id, address indexed to, uint256 amount);

    /// @notice Emitted when an action is cancelled before it takes effect.
    /// @param id Action id.
    event ActionCancelled(uint256 indexed id);

    /// @notice Thrown for a zero or wrong-direction ratio.
    /// @param kind The action kind.
    /// @param numerator Ratio numerator.
    /// @param denominator Ratio denominator.
    error InvalidRatio(Kind kind, uint256 numerator, uint256 denominator);

    /// @notice Thrown for inconsistent dividend times.
    /// @param recordTime Record time.
    /// @param paymentTime Payment time.
    /// @param claimExpiry Claim expiry.
    error InvalidSchedule(uint64 recordTime, uint64 paymentTime, uint64 claimExpiry);

    /// @notice Thrown for a dividend with no root, no leaves (or more than MAX_DIVIDEND_LEAVES),
    /// no funds (or 2**96 units or more), or a zero address.
    error InvalidDividend();

    /// @notice Thrown when the stablecoin received differs from what was declared.
    /// @param expected Declared total.
    /// @param received Balance change.
    error FundingMismatch(uint256 expected, uint256 received);

    /// @notice Thrown when an action id does not exist or has the wrong kind or status.
    /// @param id The id.
    error UnknownAction(uint256 id);

    /// @notice Thrown when cancelling an action that has taken effect.
    /// @param id The id.
    error ActionAlreadyEffective(uint256 id);

    /// @notice Thrown when claiming outside the claim window.
    /// @param now_ The current time.
    /// @param opens Payment time.
    /// @param closes Claim expiry.
    error ClaimWindowClosed(uint256 now_, uint256 opens, uint256 closes);

    /// @notice Thrown when an entitlement was already paid.
    /// @param id Action id.
    /// @param index Leaf index.
    error AlreadyClaimed(uint256 id, uint256 index);

    /// @notice Thrown for a proof that does not match the root.
    /// @param id Action id.
    /// @param index Leaf index.
    error InvalidProof(uint256 id, uint256 index);

    /// @notice Thrown when paying a holder the registry has frozen.
    /// @param account The holder.
    error ClaimantFrozen(address account);

    /// @notice Thrown when a claim would take a dividend's payments (net plus withheld) past the
    /// stablecoin it was funded with (a wrong entitlement tree): no dividend pays out another's funds.
    /// @param id Action id.
    /// @param wouldPay Net plus withheld of the dividend's payments, this one included.
    /// @param funded What the dividend was funded with.
    error DividendFundingExceeded(uint256 id, uint256 wouldPay, uint256 funded);

    /// @notice Thrown when reclaiming before the claim expiry.
    /// @param claimExpiry When reclaiming becomes possible.
    error ClaimsStillOpen(uint256 claimExpiry);

    /// @notice Thrown when withholding table arrays differ in length or a rate exceeds 100%.
    error InvalidWithholdingTable();
}
