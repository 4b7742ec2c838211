// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {IOracle} from "../../../contracts/interfaces/IOracle.sol";

/// @notice Committee signing for Solidity tests: operator keys made with vm.addr, EIP-712 digests computed
///         independently of the Oracle (so a wrong domain or struct hash in the contract would be caught), signatures
///         sorted by signer address.
abstract contract OracleSigner is Test {
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 internal constant REPORT_TYPEHASH = keccak256(
        "Report(address user,uint64 newTotalSats,uint64 btcHeight,bytes32 btcBlockHash,uint64 sequence)"
    );
    bytes32 internal constant SYNC_BATCH_TYPEHASH = keccak256(
        "SyncBatch(Report[] reports,uint256 deadline)"
        "Report(address user,uint64 newTotalSats,uint64 btcHeight,bytes32 btcBlockHash,uint64 sequence)"
    );
    bytes32 internal constant BINDING_TYPEHASH = keccak256(
        "Binding(address user,string btcAddress,bytes32 proofDigest,uint64 nonce,uint256 deadline)"
    );
    bytes32 internal constant REVOCATION_TYPEHASH = keccak256(
        "Revocation(address user,string btcAddress,uint64 nonce,uint256 deadline)"
    );

    /// @dev Operator private keys sorted by their address.
    uint256[] internal _operatorKeys;

    function _makeOperators(uint256 count) internal returns (address[] memory operators) {
        for (uint256 i = 0; i < count; ++i) {
            _operatorKeys.push(uint256(keccak256(abi.encode("reservebtc-operator", i))) % (2 ** 255));
        }
        _operatorKeys = _sortKeys(_operatorKeys);
        operators = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            operators[i] = vm.addr(_operatorKeys[i]);
        }
    }

    function _domainSeparator(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256("ReserveBTC Oracle"), keccak256("1"), chainId, verifyingContract)
            );
    }

    function _batchDigest(
        IOracle.Report[] memory reports,
        uint256 deadline,
        uint256 chainId,
        address verifyingContract
    ) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](reports.length);
        for (uint256 i = 0; i < reports.length; ++i) {
            IOracle.Report memory r = reports[i];
            hashes[i] = keccak256(
                abi.encode(REPORT_TYPEHASH, r.user, r.newTotalSats, r.btcHeight, r.btcBlockHash, r.sequence)
            );
        }
        bytes32 structHash = keccak256(abi.encode(SYNC_BATCH_TYPEHASH, keccak256(abi.encodePacked(hashes)), deadline));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(chainId, verifyingContract), structHash));
    }

    function _bindingDigest(
        IOracle.BindingRequest memory request,
        address verifyingContract
    ) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                BINDING_TYPEHASH,
                request.user,
                keccak256(bytes(request.btcAddress)),
                request.proofDigest,
                request.nonce,
                request.deadline
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(block.chainid, verifyingContract), structHash));
    }

    function _revocationDigest(
        IOracle.Revocation memory revocation,
        address verifyingContract
    ) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                REVOCATION_TYPEHASH,
                revocation.user,
                keccak256(bytes(revocation.btcAddress)),
                revocation.nonce,
                revocation.deadline
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(block.chainid, verifyingContract), structHash));
    }

    /// @dev Signatures of `keys` over `digest`, sorted by signer address.
    function _sign(bytes32 digest, uint256[] memory keys) internal pure returns (bytes[] memory signatures) {
        uint256[] memory sorted = _sortKeys(keys);
        signatures = new bytes[](sorted.length);
        for (uint256 i = 0; i < sorted.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(sorted[i], digest);
            signatures[i] = abi.encodePacked(r, s, v);
        }
    }

    /// @dev The first `m` operator keys.
    function _firstOperators(uint256 m) internal view returns (uint256[] memory keys) {
        keys = new uint256[](m);
        for (uint256 i = 0; i < m; ++i) {
            keys[i] = _operatorKeys[i];
        }
    }

    function _signBatch(
        IOracle oracle,
        IOracle.Report[] memory reports,
        uint256 deadline,
        uint256 m
    ) internal view returns (bytes[] memory) {
        return _sign(_batchDigest(reports, deadline, block.chainid, address(oracle)), _firstOperators(m));
    }

    function _bind(IOracle oracle, address user, string memory btcAddress, uint256 m) internal {
        IOracle.BindingRequest memory request = IOracle.BindingRequest({
            user: user,
            btcAddress: btcAddress,
            proofDigest: keccak256(bytes(btcAddress)),
            nonce: oracle.bindingNonce(user),
            deadline: block.timestamp + 600
        });
        oracle.bindAddress(request, _sign(_bindingDigest(request, address(oracle)), _firstOperators(m)));
    }

    /// @dev The committee's (`m` operators) revocation of `user`'s `btcAddress` at her current binding nonce.
    function _revoke(IOracle oracle, address user, string memory btcAddress, uint256 m) internal {
        IOracle.Revocation memory revocation = IOracle.Revocation({
            user: user,
            btcAddress: btcAddress,
            nonce: oracle.bindingNonce(user),
            deadline: block.timestamp + 600
        });
        oracle.revokeBinding(revocation, _sign(_revocationDigest(revocation, address(oracle)), _firstOperators(m)));
    }

    function _sortKeys(uint256[] memory keys) internal pure returns (uint256[] memory sorted) {
        sorted = new uint256[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            sorted[i] = keys[i];
        }
        for (uint256 i = 1; i < sorted.length; ++i) {
            uint256 key = sorted[i];
            address signer = vm.addr(key);
            uint256 j = i;
            while (j > 0 && vm.addr(sorted[j - 1]) > signer) {
                sorted[j] = sorted[j - 1];
                --j;
            }
            sorted[j] = key;
        }
    }
}
