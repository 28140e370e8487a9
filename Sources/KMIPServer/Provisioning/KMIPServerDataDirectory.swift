// swift-kmip: KMIPServer
//
// The reference server's data directory: database, master key, certificates, audit log.

import Crypto
import Foundation
import SwiftASN1
import X509

/// Where a reference server keeps everything it must not lose.
///
/// ```
/// DIR/
///   objects.sqlite        the managed objects (SQLiteObjectStore), with its -wal/-shm files
///   master.key            32 random bytes that encrypt key material at rest (0600)
///   audit.log             who did what to which object, one JSON line per operation
///   policy.json           optional: grants to identities on Object Groups (KMIPAccessPolicy)
///   certs/ca.pem          the certificate authority that issues every certificate below
///   certs/ca-key.pem      its private key (0600; issue-client needs it)
///   certs/server.pem      the server's certificate (localhost, 127.0.0.1, ::1 and the listen address)
///   certs/server-key.pem
///   certs/client.pem      a client certificate, identity `client`
///   certs/client-key.pem
/// ```
///
/// ``prepare(hostNames:)`` makes what is missing and keeps what is there, so a restart on the
/// same directory keeps every object, key and certificate.
public struct KMIPServerDataDirectory: Sendable {
    /// The directory.
    public let path: String

    /// A data directory at `path` (not touched until ``prepare(hostNames:)``).
    public init(path: String) {
        self.path = (path as NSString).standardizingPath
    }

    /// The object database.
    public var databasePath: String { path + "/objects.sqlite" }
    /// The master key file.
    public var masterKeyPath: String { path + "/master.key" }
    /// The audit log.
    public var auditLogPath: String { path + "/audit.log" }
    /// The access policy file (optional).
    public var policyPath: String { path + "/policy.json" }
    /// The users and their password hashes (`kmip-server add-user`), 0600.
    public var usersPath: String { path + "/users.json" }
    /// The certificates folder.
    public var certificatesPath: String { path + "/certs" }
    /// The CA certificate clients and the server trust.
    public var caCertificatePath: String { certificatesPath + "/ca.pem" }
    /// The server's certificate.
    public var serverCertificatePath: String { certificatesPath + "/server.pem" }
    /// The server's private key.
    public var serverKeyPath: String { certificatesPath + "/server-key.pem" }

    /// The certificate file of the client identity `name`.
    public func clientCertificatePath(_ name: String = "client") -> String { certificatesPath + "/\(name).pem" }
    /// The private key file of the client identity `name`.
    public func clientKeyPath(_ name: String = "client") -> String { certificatesPath + "/\(name)-key.pem" }

    /// Makes the directory, the master key and the certificates when they are missing.
    ///
    /// - Parameter hostNames: names and addresses the server certificate is made for, besides
    ///   `localhost`, `127.0.0.1` and `::1` (only used when the certificate is made).
    /// - Returns: the names of the files it made.
    @discardableResult
    public func prepare(hostNames: [String] = []) throws -> [String] {
        var made: [String] = []
        for directory in [path, certificatesPath] where !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw KMIPServerSetupError("cannot create the data directory \(directory): \(error.localizedDescription)")
            }
        }
        if !FileManager.default.fileExists(atPath: masterKeyPath) {
            _ = try KMIPMasterKey.loadOrCreate(at: masterKeyPath)
            made.append(masterKeyPath)
        }
        let caKeyPath = certificatesPath + "/ca-key.pem"
        for (certificate, key) in [(caCertificatePath, caKeyPath), (serverCertificatePath, serverKeyPath), (clientCertificatePath(), clientKeyPath())] {
            try Self.checkPair(certificate: certificate, key: key)
        }
        if !FileManager.default.fileExists(atPath: caCertificatePath) {
            let authority = try TestCertificateAuthority.make(commonName: "swift-kmip reference server CA")
            // The key first, the certificate last: a certificate is there only with its key.
            try PrivateFile.create(at: caKeyPath, contents: Array(authority.privateKeyPEM.utf8))
            try write(authority.certificatePEM, to: caCertificatePath)
            made += [caCertificatePath, caKeyPath]
        }
        if !FileManager.default.fileExists(atPath: serverCertificatePath) {
            let names = ["localhost", "127.0.0.1", "::1"] + hostNames.filter { !["localhost", "127.0.0.1", "::1", "0.0.0.0", "::"].contains($0) }
            try issue(commonName: "swift-kmip reference server", serverNames: names, certificate: serverCertificatePath, key: serverKeyPath)
            made += [serverCertificatePath, serverKeyPath]
        }
        if !FileManager.default.fileExists(atPath: clientCertificatePath()) {
            made += try issueClient("client")
        }
        return made
    }

    /// Makes `NAME.pem` and `NAME-key.pem` for the client identity `name`, issued by the
    /// directory's CA. The subject common name is `name`: the identity the server sees.
    ///
    /// - Throws: ``KMIPServerSetupError`` when the name is not a plain file name, the files exist,
    ///   or there is no CA yet (``prepare(hostNames:)`` makes it).
    @discardableResult
    public func issueClient(_ name: String) throws -> [String] {
        guard !name.isEmpty, name.count <= 64,
            name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), !name.hasPrefix(".")
        else {
            throw KMIPServerSetupError("'\(name)' is not a usable identity name (letters, digits, '-', '_' and '.', at most 64)")
        }
        let certificate = clientCertificatePath(name)
        let key = clientKeyPath(name)
        guard !["ca", "server"].contains(name), !name.hasSuffix("-key") else {
            throw KMIPServerSetupError("'\(name)' is reserved for the directory's own files (ca, server and names ending in -key)")
        }
        guard !FileManager.default.fileExists(atPath: certificate) else {
            throw KMIPServerSetupError("\(certificate) exists already")
        }
        try Self.checkPair(certificate: certificate, key: key)
        try issue(commonName: name, serverNames: nil, certificate: certificate, key: key)
        return [certificate, key]
    }

    private func issue(commonName: String, serverNames: [String]?, certificate: String, key: String) throws {
        guard let caPEM = try? String(contentsOfFile: caCertificatePath, encoding: .utf8),
            let caKeyPEM = try? String(contentsOfFile: certificatesPath + "/ca-key.pem", encoding: .utf8)
        else {
            throw KMIPServerSetupError("no certificate authority in \(certificatesPath) (start kmip-server with --data \(path) once to make it)")
        }
        let authority = try TestCertificateAuthority(certificatePEM: caPEM, privateKeyPEM: caKeyPEM)
        let issued = try authority.issue(commonName: commonName, serverNames: serverNames)
        try PrivateFile.create(at: key, contents: Array(issued.privateKeyPEM.utf8))
        try write(issued.certificatePEM, to: certificate)
    }

    /// A key without its certificate is what an interrupted start leaves: say how to recover
    /// rather than making a certificate that does not match.
    static func checkPair(certificate: String, key: String) throws {
        if !FileManager.default.fileExists(atPath: certificate) && FileManager.default.fileExists(atPath: key) {
            throw KMIPServerSetupError("\(key) exists without \(certificate) (an interrupted start?): remove \(key) to make both anew")
        }
    }

    /// Writes `text` to a temporary name and renames it: the file is there whole or not at all.
    private func write(_ text: String, to file: String) throws {
        let temporary = file + ".partial"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, file) == 0 else { throw KMIPServerSetupError(String(cString: strerror(errno))) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw KMIPServerSetupError("cannot write \(file): \(error)")
        }
    }
}

/// A small certificate authority with P-256 keys, for the reference server's own certificates.
struct TestCertificateAuthority {
    let certificate: Certificate
    let privateKey: P256.Signing.PrivateKey

    var certificatePEM: String { (try? certificate.serializeAsPEM().pemString) ?? "" }
    var privateKeyPEM: String { privateKey.pemRepresentation }

    static func make(commonName: String) throws -> TestCertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName) }
        let now = Date()
        do {
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                },
                issuerPrivateKey: .init(key))
            return TestCertificateAuthority(certificate: certificate, privateKey: key)
        } catch {
            throw KMIPServerSetupError("cannot make a certificate authority: \(error)")
        }
    }

    init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.privateKey = privateKey
    }

    init(certificatePEM: String, privateKeyPEM: String) throws {
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
            privateKey = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw KMIPServerSetupError("cannot read the certificate authority: \(error)")
        }
    }

    /// A certificate for a server (`serverNames`: DNS names and IP addresses) or, when
    /// `serverNames` is nil, for a client.
    func issue(commonName: String, serverNames: [String]?) throws -> (certificatePEM: String, privateKeyPEM: String) {
        let key = P256.Signing.PrivateKey()
        let now = Date()
        do {
            let subject = try DistinguishedName { CommonName(commonName) }
            let alternativeNames = SubjectAlternativeNames((serverNames ?? []).map { name in
                if let address = ipAddressBytes(name) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))) }
                return .dnsName(name)
            })
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(5 * 365 * 86400),
                issuer: self.certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyAgreement: true))
                    try ExtendedKeyUsage([serverNames == nil ? .clientAuth : .serverAuth])
                    if serverNames != nil { alternativeNames }
                },
                issuerPrivateKey: .init(privateKey))
            return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
        } catch {
            throw KMIPServerSetupError("cannot issue a certificate for '\(commonName)': \(error)")
        }
    }
}

/// The 4 or 16 bytes of an IPv4 or IPv6 address in text form, or nil.
func ipAddressBytes(_ text: String) -> [UInt8]? {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 {
        return withUnsafeBytes(of: &v4) { Array($0) }
    }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 {
        return withUnsafeBytes(of: &v6) { Array($0) }
    }
    return nil
}
