// swift-kmip: KMIPServer
//
// The key that encrypts key material at rest.

import Crypto
import Foundation

/// The 256-bit key under which a persistent store encrypts every managed object's material
/// (AES-256-GCM, the object's Unique Identifier, owner and type bound as associated data) and
/// authenticates the rest of each object's row (HMAC-SHA256 under a derived key).
///
/// Without it, the database reveals attributes (names, states, dates) but no key material.
/// Keep it apart from the database when the threat model asks for it (``load(from:)`` reads it
/// from any file, a mounted secret for example).
public struct KMIPMasterKey: Sendable {
    let key: SymmetricKey
    private let metadataKey: SymmetricKey

    /// A master key from 32 bytes.
    ///
    /// - Throws: ``KMIPServerSetupError`` when `bytes` is not 32 bytes long.
    public init(bytes: some Collection<UInt8>) throws {
        guard bytes.count == 32 else {
            throw KMIPServerSetupError("a master key is 32 bytes, not \(bytes.count)")
        }
        self.init(key: SymmetricKey(data: Array(bytes)))
    }

    /// A new random master key.
    public static func random() -> KMIPMasterKey {
        KMIPMasterKey(key: SymmetricKey(size: .bits256))
    }

    init(key: SymmetricKey) {
        self.key = key
        metadataKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Array("swift-kmip store metadata".utf8), outputByteCount: 32)
    }

    /// Reads the master key in the file at `path` (32 raw bytes).
    public static func load(from path: String) throws -> KMIPMasterKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KMIPServerSetupError("cannot read the master key file \(path)")
        }
        do {
            return try KMIPMasterKey(bytes: data)
        } catch let error as KMIPServerSetupError {
            throw KMIPServerSetupError("\(path): \(error.message)")
        }
    }

    /// Reads the master key at `path`, or makes a new one there (mode 0600) when there is no file.
    public static func loadOrCreate(at path: String) throws -> KMIPMasterKey {
        if FileManager.default.fileExists(atPath: path) { return try load(from: path) }
        let key = KMIPMasterKey.random()
        let bytes = key.key.withUnsafeBytes { Array($0) }
        try PrivateFile.create(at: path, contents: bytes)
        return key
    }

    /// An HMAC-SHA256 of `data` under a key derived from the master key.
    func authenticate(_ data: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: data, using: metadataKey))
    }

    /// Whether `code` is ``authenticate(_:)`` of `data` (compared in constant time).
    func isAuthentic(_ code: [UInt8], _ data: [UInt8]) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: data, using: metadataKey)
    }

    /// Encrypts `plaintext`, binding `context` (nonce || ciphertext || tag).
    func seal(_ plaintext: [UInt8], context: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Array(context.utf8))
        guard let combined = box.combined else { throw KMIPServerSetupError("AES-GCM produced no combined form") }
        return Array(combined)
    }

    /// Decrypts what ``seal(_:context:)`` made for the same `context`.
    func open(_ sealed: [UInt8], context: String) throws -> [UInt8] {
        let box = try AES.GCM.SealedBox(combined: sealed)
        return Array(try AES.GCM.open(box, using: key, authenticating: Array(context.utf8)))
    }
}
