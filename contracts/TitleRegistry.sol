// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {ConsortiumGated} from "./ConsortiumGated.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";
import {TitleExchange} from "./TitleExchange.sol";

/**
 * @title TitleRegistry
 * @notice The consortium's titles — shares of a joint venture, bonds, licences of joint IP — as an
 * ERC-1155 token where each id is a *title class* with a name and the hash of its terms document (the
 * document itself stays off chain). Classes are created and titles issued only by the consortium, i.e.
 * through an executed proposal; holders must be consortium members.
 *
 * @dev Design decisions:
 *
 * - **Governance.** {createClass} and {issue} succeed only when `msg.sender` is the consortium. A
 *   proposal may call {multicall} to create a class and issue it to several members atomically (the
 *   new class id is `classCount() + 1`, known when proposing). There is no owner and no other role.
 *
 * - **Holders are members.** Every transfer and issue *into* an account requires that account to be a
 *   current member ({TitleRegistryNotMember}). A member that is removed keeps its titles and may
 *   still transfer them out (to members) or offer them on the exchange, but can receive no new ones.
 *
 * - **The exchange.** The registry deploys its own {TitleExchange} in its constructor ({exchange}),
 *   so the two are bound atomically and nobody holds a setup power. The exchange may hold titles (it
 *   escrows open offers) and what it sends out is not checked again: it delivers only to takers it
 *   checked are members, or returns an offer's titles to their maker (also to a removed maker: the
 *   titles were its own). The exchange is every holder's operator ({isApprovedForAll}), so making an
 *   offer needs no approval transaction; it only ever moves titles of `msg.sender` (the maker making
 *   an offer, the taker paying with titles) or titles it escrows.
 *
 * - Titles are never burnt: `issued(classId)` is the class's total supply.
 */
contract TitleRegistry is ConsortiumGated, ERC1155, Multicall {
    /// @notice A class of titles.
    struct TitleClass {
        /// Human name, 1 to {MAX_NAME_LENGTH} bytes.
        string name;
        /// Hash (e.g. keccak-256 or sha-256) of the terms document kept off chain.
        bytes32 termsHash;
        /// Block timestamp of creation.
        uint64 createdAt;
        /// Titles issued so far (the class's total supply).
        uint256 issued;
    }

    /// @notice Longest class name, in bytes of UTF-8.
    uint256 public constant MAX_NAME_LENGTH = 64;

    /// @notice The exchange bound to this registry (deployed by its constructor).
    TitleExchange public immutable exchange;

    uint256 private _classCount;
    mapping(uint256 classId => TitleClass) private _classes;

    /// @notice Class `classId` was created with `name` and `termsHash`.
    event ClassCreated(uint256 indexed classId, string name, bytes32 termsHash);
    /// @notice `amount` titles of `classId` were issued to `to` (also a TransferSingle from zero).
    event TitlesIssued(uint256 indexed classId, address indexed to, uint256 amount);

    /// @notice `caller` is not the consortium: the function is only reachable through a proposal.
    error TitleRegistryOnlyConsortium(address caller);
    /// @notice `account` is not a current member of the consortium and cannot receive titles.
    error TitleRegistryNotMember(address account);
    /// @notice No title class has id `classId`.
    error TitleRegistryUnknownClass(uint256 classId);
    /// @notice `name` is empty or longer than {MAX_NAME_LENGTH} bytes.
    error TitleRegistryInvalidName(string name);
    /// @notice Issuing zero titles is refused.
    error TitleRegistryZeroAmount();
    /// @notice The consortium address has no code.
    error TitleRegistryInvalidConsortium(address consortium);

    modifier onlyConsortium() {
        if (msg.sender != address(consortium)) revert TitleRegistryOnlyConsortium(msg.sender);
        _;
    }

    /**
     * @notice Creates the registry for `consortium_` and deploys its exchange.
     * @dev Requirements: `consortium_` is a contract. Nobody gets a role.
     * @param consortium_ The Consortium contract.
     */
    constructor(IConsortium consortium_) ConsortiumGated(consortium_) ERC1155("") {
        if (address(consortium_).code.length == 0) revert TitleRegistryInvalidConsortium(address(consortium_));
        exchange = new TitleExchange(consortium_);
    }

    /**
     * @notice Creates a title class.
     * @dev Requirements: called by the consortium (an executed proposal); `name` is 1..64 bytes.
     * Emits {ClassCreated}.
     * @param name Human name of the class, e.g. "JV Hydrogen shares".
     * @param termsHash Hash of the terms document kept off chain.
     * @return classId The new class's id (ids start at 1, in creation order).
     */
    function createClass(string calldata name, bytes32 termsHash) external onlyConsortium returns (uint256 classId) {
        uint256 size = bytes(name).length;
        if (size == 0 || size > MAX_NAME_LENGTH) revert TitleRegistryInvalidName(name);
        classId = ++_classCount;
        TitleClass storage c = _classes[classId];
        c.name = name;
        c.termsHash = termsHash;
        c.createdAt = uint64(block.timestamp);
        emit ClassCreated(classId, name, termsHash);
    }

    /**
     * @notice Issues `amount` new titles of `classId` to `to`.
     * @dev Requirements: called by the consortium; the class exists; `amount > 0`; `to` is a current
     * member; if `to` is a contract it accepts ERC-1155 transfers.
     * Emits {TitlesIssued} and {TransferSingle}.
     */
    function issue(uint256 classId, address to, uint256 amount) external onlyConsortium {
        if (classId == 0 || classId > _classCount) revert TitleRegistryUnknownClass(classId);
        if (amount == 0) revert TitleRegistryZeroAmount();
        _classes[classId].issued += amount;
        emit TitlesIssued(classId, to, amount);
        _mint(to, classId, amount, "");
    }

    /// @notice Number of classes created; their ids are 1..classCount().
    function classCount() external view returns (uint256) {
        return _classCount;
    }

    /// @notice Class `classId`. Reverts with {TitleRegistryUnknownClass} if it does not exist.
    function titleClass(uint256 classId) external view returns (TitleClass memory) {
        if (classId == 0 || classId > _classCount) revert TitleRegistryUnknownClass(classId);
        return _classes[classId];
    }

    /// @notice Titles of `classId` issued so far (0 for an unknown class).
    function issued(uint256 classId) external view returns (uint256) {
        return _classes[classId].issued;
    }

    /// @notice Whether `account` may receive titles now (a member, or the exchange).
    function canHold(address account) public view returns (bool) {
        return account == address(exchange) || consortium.isMember(account);
    }

    /// @notice ERC-1155 operator approval; the exchange is every holder's operator (see contract notes).
    function isApprovedForAll(address account, address operator) public view override returns (bool) {
        return operator == address(exchange) || super.isApprovedForAll(account, operator);
    }

    /// @dev Refuses titles into a non-member, except from the exchange (deliveries to takers it
    /// checked, returns to makers). Burning is not reachable (no burn function).
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values)
        internal
        override
    {
        if (to != address(0) && from != address(exchange) && !canHold(to)) revert TitleRegistryNotMember(to);
        super._update(from, to, ids, values);
    }

    function _revertNotMember(address account) internal pure override {
        revert TitleRegistryNotMember(account);
    }
}
