// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title ITitleRegistry
 * @notice The title registry's types, events and errors (see contracts/TitleRegistry.sol for the rules).
 */
interface ITitleRegistry {
    // ------------------------------------------------------------------------------------- types

    /// @notice A class of titles.
    struct TitleClass {
        /// Human name, 1 to 64 bytes.
        string name;
        /// Hash (e.g. keccak-256 or sha-256) of the terms document kept off chain.
        bytes32 termsHash;
        /// Block timestamp of creation.
        uint64 createdAt;
        /// Counts the changes of {maxSupply}; a holder's consent to a change names it, so a consent
        /// serves once (see {TitleRegistry-setMaxSupply}).
        uint64 capNonce;
        /// Titles issued so far (the class's total supply: titles are never burnt).
        uint256 issued;
        /// Most titles that may ever be issued; 0 means no cap.
        uint256 maxSupply;
    }

    /// @notice A holder's consent to a change of a class's cap: an EIP-712 `CapChange` signature (65-byte
    /// ECDSA for an EOA, or what the holder's ERC-1271 `isValidSignature` accepts), or, with an empty
    /// `signature`, the consent the holder recorded on chain with {TitleRegistry-consentToMaxSupply}.
    struct HolderConsent {
        address holder;
        bytes signature;
    }

    // ------------------------------------------------------------------------------------ events

    /// @notice Class `classId` was created with `name`, `termsHash` and cap `maxSupply` (0: no cap).
    event ClassCreated(uint256 indexed classId, string name, bytes32 termsHash, uint256 maxSupply);
    /// @notice `amount` titles of `classId` were issued to `to` (also a TransferSingle from zero).
    event TitlesIssued(uint256 indexed classId, address indexed to, uint256 amount);
    /// @notice The cap of `classId` went from `oldMaxSupply` to `newMaxSupply` (0: no cap), with the
    /// consent of holders of `consenting` of the `issued` titles (0 when no consent was needed).
    event MaxSupplyChanged(
        uint256 indexed classId, uint256 oldMaxSupply, uint256 newMaxSupply, uint256 consenting, uint256 issued
    );
    /// @notice `holder` consented on chain to cap `maxSupply` for `classId` (change number `capNonce`),
    /// valid until `deadline`.
    event MaxSupplyConsented(
        uint256 indexed classId, address indexed holder, uint256 maxSupply, uint64 capNonce, uint64 deadline
    );

    // ------------------------------------------------------------------------------------ errors

    /// @notice `caller` is not the consortium: the function is only reachable through a proposal.
    error TitleRegistryOnlyConsortium(address caller);
    /// @notice `account` is not a current member of the consortium and cannot receive titles.
    error TitleRegistryNotMember(address account);
    /// @notice No title class has id `classId`.
    error TitleRegistryUnknownClass(uint256 classId);
    /// @notice `name` is empty or longer than 64 bytes.
    error TitleRegistryInvalidName(string name);
    /// @notice Issuing zero titles is refused.
    error TitleRegistryZeroAmount();
    /// @notice The consortium address has no code.
    error TitleRegistryInvalidConsortium(address consortium);
    /// @notice `holders` and `amounts` have different lengths.
    error TitleRegistryLengthMismatch(uint256 holders, uint256 amounts);
    /// @notice Issuing `amount` more titles of `classId` (with `issued` issued) would exceed its cap `maxSupply`.
    error TitleRegistryMaxSupplyExceeded(uint256 classId, uint256 issued, uint256 amount, uint256 maxSupply);
    /// @notice A cap of `maxSupply` is below the `issued` titles of `classId`.
    error TitleRegistryMaxSupplyBelowIssued(uint256 classId, uint256 maxSupply, uint256 issued);
    /// @notice The cap of `classId` is already `maxSupply`.
    error TitleRegistryMaxSupplyUnchanged(uint256 classId, uint256 maxSupply);
    /// @notice Raising the cap of `classId` needs consenting holders of more than half of the `issued`
    /// titles; those who consented hold `consenting`.
    error TitleRegistryInsufficientConsent(uint256 classId, uint256 consenting, uint256 issued);
    /// @notice `holder`'s consent is not valid (bad signature, or no matching consent recorded on chain).
    error TitleRegistryInvalidConsent(address holder);
    /// @notice Consents must be ordered by strictly increasing holder address; `holder` breaks the order
    /// (e.g. it appears twice).
    error TitleRegistryConsentsNotSorted(address holder);
    /// @notice The consents' `deadline` is before the current block's `timestamp`.
    error TitleRegistryConsentExpired(uint64 deadline, uint256 timestamp);
}
