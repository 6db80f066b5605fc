// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ConsortiumGated} from "./ConsortiumGated.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";
import {ITitleRegistry} from "./interfaces/ITitleRegistry.sol";
import {TitleExchange} from "./TitleExchange.sol";

/**
 * @title TitleRegistry
 * @notice The consortium's titles — shares of a joint venture, bonds, licences of joint IP — as an
 * ERC-1155 token where each id is a *title class* with a name, the hash of its terms document (the
 * document itself stays off chain) and a cap on its supply. Classes are created and titles issued only
 * by the consortium, i.e. through an executed proposal; holders must be consortium members.
 *
 * @dev Design decisions:
 *
 * - **Atomic issuance.** {createClassAndIssue} creates a class and issues its first titles in one call,
 *   so the titles cannot land in another class whatever order proposals execute in. {issue} adds
 *   titles to a class that already exists (its id is known when proposing). There is no separate
 *   "create" function and no recipe that predicts the next class id.
 *
 * - **Supply holders can rely on (the cap rule).** A class's `maxSupply` is fixed at creation (0 = no
 *   cap, which the library and CLI show loudly); {issue} beyond it is refused. The cap changes only by
 *   {setMaxSupply}, called by the consortium (its quorum), and:
 *   * *lowering* it (or capping an uncapped class) needs nothing more, as long as the new cap is at
 *     least the titles already issued: it only protects holders;
 *   * *raising* it (or removing the cap) additionally needs the consent of the holders of **more than
 *     half** of the titles issued, counted with their balances at execution time, each holder once
 *     (consents sorted by address). A consent is an EIP-712 signature of
 *     `CapChange(uint256 classId,uint256 maxSupply,uint64 capNonce,uint64 deadline)` in the domain
 *     `TitleRegistry` version `2` (chain id, this registry), or the same recorded on chain with
 *     {consentToMaxSupply}. `capNonce` counts the class's cap changes, so a consent serves once, and
 *     the consents are void after `deadline`. A class with nothing issued has no holder to protect:
 *     raising its cap needs no consent. Titles escrowed in open exchange offers count in the supply but
 *     not for their maker (it may cancel its offers first), which errs on the side of the holders.
 *   So a quorum of members that hold no titles of a class cannot dilute it beyond its cap.
 *
 * - **Holders are members.** Every transfer and issue *into* an account requires that account to be a
 *   current member ({TitleRegistryNotMember}). A removed member keeps its titles and may still transfer
 *   them out to members, but can receive no new ones; it can no longer make offers or signed orders
 *   on the exchange, its open offers stop filling, and the exchange returns their titles to it
 *   (`TitleExchange.reclaim`).
 *
 * - **The exchange is every holder's operator.** The registry deploys its own {TitleExchange} in its
 *   constructor ({exchange}), so the two are bound atomically and nobody holds a setup power.
 *   {isApprovedForAll} is true for the exchange for every holder and cannot be revoked: this is what
 *   lets a member make an offer without an approval transaction and lets a taker settle a maker's
 *   signed order straight from the maker's balance in one transaction. It is safe because the
 *   exchange's code is fixed and only ever moves titles of `msg.sender` (a maker making an offer, a
 *   taker paying with titles), titles it escrows, or titles of a maker whose valid signature of an
 *   order the taker presents. The exchange may hold titles (escrow of open offers), and what it moves
 *   is not checked again here: it checks its own deliveries (takers, payout addresses and makers paid
 *   in titles are members; returns go to the maker, also a removed one: the titles were its own).
 *
 * - Titles are never burnt: `issued(classId)` is the class's total supply.
 */
contract TitleRegistry is ITitleRegistry, ConsortiumGated, ERC1155, EIP712, Multicall {
    /// @notice Longest class name, in bytes of UTF-8.
    uint256 public constant MAX_NAME_LENGTH = 64;

    /// @notice EIP-712 type hash of a holder's consent to a cap change.
    bytes32 public constant CAP_CHANGE_TYPEHASH =
        keccak256("CapChange(uint256 classId,uint256 maxSupply,uint64 capNonce,uint64 deadline)");

    /// @notice The exchange bound to this registry (deployed by its constructor).
    TitleExchange public immutable exchange;

    uint256 private _classCount;
    mapping(uint256 classId => TitleClass) private _classes;
    mapping(bytes32 capChange => mapping(address holder => bool)) private _consented;

    modifier onlyConsortium() {
        if (msg.sender != address(consortium)) revert TitleRegistryOnlyConsortium(msg.sender);
        _;
    }

    /**
     * @notice Creates the registry for `consortium_` and deploys its exchange.
     * @dev Requirements: `consortium_` is a contract. Nobody gets a role.
     * @param consortium_ The Consortium contract.
     */
    constructor(IConsortium consortium_) ConsortiumGated(consortium_) ERC1155("") EIP712("TitleRegistry", "2") {
        if (address(consortium_).code.length == 0) revert TitleRegistryInvalidConsortium(address(consortium_));
        exchange = new TitleExchange(consortium_);
    }

    /**
     * @notice Creates a title class with cap `maxSupply` and issues its first titles, atomically.
     * @dev Requirements: called by the consortium (an executed proposal); `name` is 1..64 bytes;
     * `holders` and `amounts` have the same length (both may be empty); every amount is > 0 and every
     * holder a current member (a contract holder accepts ERC-1155 transfers); the amounts together do
     * not exceed `maxSupply` unless it is 0 (no cap). Emits {ClassCreated}, then {TitlesIssued} and
     * TransferSingle per holder.
     * @param name Human name of the class, e.g. "JV Hydrogen shares".
     * @param termsHash Hash of the terms document kept off chain.
     * @param maxSupply Most titles that may ever be issued (0: no cap; see the cap rule above).
     * @return classId The new class's id (ids start at 1, in creation order).
     */
    function createClassAndIssue(
        string calldata name,
        bytes32 termsHash,
        uint256 maxSupply,
        address[] calldata holders,
        uint256[] calldata amounts
    ) external onlyConsortium returns (uint256 classId) {
        uint256 size = bytes(name).length;
        if (size == 0 || size > MAX_NAME_LENGTH) revert TitleRegistryInvalidName(name);
        if (holders.length != amounts.length) revert TitleRegistryLengthMismatch(holders.length, amounts.length);
        classId = ++_classCount;
        TitleClass storage c = _classes[classId];
        c.name = name;
        c.termsHash = termsHash;
        c.createdAt = uint64(block.timestamp);
        c.maxSupply = maxSupply;
        emit ClassCreated(classId, name, termsHash, maxSupply);
        for (uint256 i = 0; i < holders.length; ++i) {
            _issue(classId, holders[i], amounts[i]);
        }
    }

    /**
     * @notice Issues `amount` new titles of the existing class `classId` to `to`.
     * @dev Requirements: called by the consortium; the class exists; `amount > 0`; the class's cap (if
     * any) is not exceeded; `to` is a current member; if `to` is a contract it accepts ERC-1155
     * transfers. Emits {TitlesIssued} and {TransferSingle}.
     */
    function issue(uint256 classId, address to, uint256 amount) external onlyConsortium {
        _known(classId);
        _issue(classId, to, amount);
    }

    /**
     * @notice Changes the cap of `classId` to `newMaxSupply` (0: no cap), by the rule above.
     * @dev Requirements: called by the consortium; the class exists; the cap changes; a non-zero cap is
     * at least the titles issued. Raising the cap (or removing it) of a class with titles issued also
     * needs `consents`, sorted by strictly increasing holder address, valid for this change (`deadline`
     * not passed, the class's current `capNonce`), of holders whose balances together exceed half of
     * the titles issued. Emits {MaxSupplyChanged}.
     * @param deadline The deadline the consents name (ignored when no consent is needed).
     */
    function setMaxSupply(uint256 classId, uint256 newMaxSupply, uint64 deadline, HolderConsent[] calldata consents)
        external
        onlyConsortium
    {
        TitleClass storage c = _known(classId);
        uint256 old = c.maxSupply;
        uint256 supply = c.issued;
        if (newMaxSupply == old) revert TitleRegistryMaxSupplyUnchanged(classId, old);
        if (newMaxSupply != 0 && newMaxSupply < supply) {
            revert TitleRegistryMaxSupplyBelowIssued(classId, newMaxSupply, supply);
        }
        bool raise = old != 0 && (newMaxSupply == 0 || newMaxSupply > old);
        uint256 consenting = 0;
        if (raise && supply != 0) {
            if (deadline < block.timestamp) revert TitleRegistryConsentExpired(deadline, block.timestamp);
            consenting = _consenting(classId, _capChangeHash(classId, newMaxSupply, c.capNonce, deadline), consents);
            // more than half: 2 * consenting > supply (consenting <= supply, so no overflow)
            if (consenting <= supply / 2) revert TitleRegistryInsufficientConsent(classId, consenting, supply);
        }
        c.maxSupply = newMaxSupply;
        unchecked {
            ++c.capNonce; // cannot overflow in practice: one increment per executed proposal
        }
        emit MaxSupplyChanged(classId, old, newMaxSupply, consenting, supply);
    }

    /**
     * @notice Records on chain the caller's consent to cap `maxSupply` for `classId`, for the class's
     * current cap change number, until `deadline` (the alternative to an EIP-712 signature; the
     * proposal then lists the caller with an empty signature).
     * @dev Requirements: the class exists; `deadline` is not in the past. Anyone may consent, but only
     * the titles the consenter holds when the change executes count. Emits {MaxSupplyConsented}.
     */
    function consentToMaxSupply(uint256 classId, uint256 maxSupply, uint64 deadline) external {
        TitleClass storage c = _known(classId);
        if (deadline < block.timestamp) revert TitleRegistryConsentExpired(deadline, block.timestamp);
        _consented[_capChangeHash(classId, maxSupply, c.capNonce, deadline)][msg.sender] = true;
        emit MaxSupplyConsented(classId, msg.sender, maxSupply, c.capNonce, deadline);
    }

    // ------------------------------------------------------------------------------- views

    /// @notice Number of classes created; their ids are 1..classCount().
    function classCount() external view returns (uint256) {
        return _classCount;
    }

    /// @notice Class `classId`. Reverts with {TitleRegistryUnknownClass} if it does not exist.
    function titleClass(uint256 classId) external view returns (TitleClass memory) {
        return _known(classId);
    }

    /// @notice Titles of `classId` issued so far (0 for an unknown class).
    function issued(uint256 classId) external view returns (uint256) {
        return _classes[classId].issued;
    }

    /// @notice Cap of `classId` (0: no cap, or an unknown class).
    function maxSupply(uint256 classId) external view returns (uint256) {
        return _classes[classId].maxSupply;
    }

    /// @notice The EIP-712 digest a holder signs to consent to cap `newMaxSupply` for `classId`, for
    /// the class's current cap change number, until `deadline`.
    function capChangeDigest(uint256 classId, uint256 newMaxSupply, uint64 deadline) external view returns (bytes32) {
        return _hashTypedDataV4(_capChangeHash(classId, newMaxSupply, _known(classId).capNonce, deadline));
    }

    /// @notice Whether `holder` recorded on chain its consent to cap `newMaxSupply` for `classId` (current
    /// change number) until `deadline`.
    function hasConsented(uint256 classId, uint256 newMaxSupply, uint64 deadline, address holder)
        external
        view
        returns (bool)
    {
        return _consented[_capChangeHash(classId, newMaxSupply, _known(classId).capNonce, deadline)][holder];
    }

    /// @notice The EIP-712 domain separator (name "TitleRegistry", version "2", chain id, this address).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice Whether `account` may receive titles now (a member, or the exchange).
    function canHold(address account) public view returns (bool) {
        return account == address(exchange) || consortium.isMember(account);
    }

    /// @notice ERC-1155 operator approval; the exchange is every holder's operator, irrevocably (see the
    /// contract notes for why this is safe).
    function isApprovedForAll(address account, address operator) public view override returns (bool) {
        return operator == address(exchange) || super.isApprovedForAll(account, operator);
    }

    // ---------------------------------------------------------------------------- internal

    /// @dev Refuses titles into a non-member, except when the exchange moves them: it checks every
    /// destination itself (takers and payout addresses are members, payments in titles go to makers it
    /// checked are members, returns go to the maker). Burning is not reachable (no burn function).
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values)
        internal
        override
    {
        if (to != address(0) && _msgSender() != address(exchange) && !canHold(to)) revert TitleRegistryNotMember(to);
        super._update(from, to, ids, values);
    }

    function _revertNotMember(address account) internal pure override {
        revert TitleRegistryNotMember(account);
    }

    function _known(uint256 classId) private view returns (TitleClass storage c) {
        if (classId == 0 || classId > _classCount) revert TitleRegistryUnknownClass(classId);
        c = _classes[classId];
    }

    function _issue(uint256 classId, address to, uint256 amount) private {
        if (amount == 0) revert TitleRegistryZeroAmount();
        TitleClass storage c = _classes[classId];
        uint256 supply = c.issued;
        uint256 cap = c.maxSupply;
        if (cap != 0 && amount > cap - supply) revert TitleRegistryMaxSupplyExceeded(classId, supply, amount, cap);
        c.issued = supply + amount;
        emit TitlesIssued(classId, to, amount);
        _mint(to, classId, amount, "");
    }

    function _capChangeHash(uint256 classId, uint256 newMaxSupply, uint64 capNonce, uint64 deadline)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(CAP_CHANGE_TYPEHASH, classId, newMaxSupply, capNonce, deadline));
    }

    /// Titles of `classId` held by the distinct holders whose consents to `capChange` are valid; reverts
    /// on an invalid or out-of-order consent. Bounded by the caller's list (a governance path).
    function _consenting(uint256 classId, bytes32 capChange, HolderConsent[] calldata consents)
        private
        view
        returns (uint256 total)
    {
        bytes32 digest = _hashTypedDataV4(capChange);
        address previous = address(0);
        for (uint256 i = 0; i < consents.length; ++i) {
            address holder = consents[i].holder;
            if (holder <= previous) revert TitleRegistryConsentsNotSorted(holder);
            previous = holder;
            bytes calldata signature = consents[i].signature;
            bool valid;
            if (signature.length == 0) {
                valid = _consented[capChange][holder];
            } else {
                (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
                valid = (err == ECDSA.RecoverError.NoError && recovered == holder)
                    || SignatureChecker.isValidERC1271SignatureNowCalldata(holder, digest, signature);
            }
            if (!valid) revert TitleRegistryInvalidConsent(holder);
            total += balanceOf(holder, classId);
        }
    }
}
