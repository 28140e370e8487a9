// swift-kmip: ClipViewer
//
// The viewer's own self-signed certificate, made with swift-certificates on first start.

import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOSSL
import SwiftASN1
import X509

/// The certificate and key the viewer serves HTTPS with.
struct ViewerCertificate {
    let certificateChainFile: String
    let privateKeyFile: String

    static let certificateName = "viewer-certificate.pem"
    static let keyName = "viewer-key.pem"

    /// The certificate in `directory`, made when missing, expiring within a day, or not naming
    /// every one of `names`.
    static func generated(in directory: String, names: [String]) throws -> ViewerCertificate {
        let certificatePath = directory + "/" + certificateName
        let keyPath = directory + "/" + keyName
        let wanted = Set(names + ["localhost", "127.0.0.1", "::1"])
        if let existing = try? String(contentsOfFile: certificatePath, encoding: .utf8),
            FileManager.default.fileExists(atPath: keyPath),
            let certificate = try? Certificate(pemEncoded: existing),
            certificate.notValidAfter > Date().addingTimeInterval(86400),
            let alternatives = try? certificate.extensions.subjectAlternativeNames,
            wanted.isSubset(of: Set(alternatives.compactMap(Self.text)))
        {
            return ViewerCertificate(certificateChainFile: certificatePath, privateKeyFile: keyPath)
        }
        try makeDirectory(directory)
        let key = P256.Signing.PrivateKey()
        let now = Date()
        let pem: String
        do {
            let subject = try DistinguishedName {
                OrganizationName("swift-kmip clip viewer")
                CommonName(names.first ?? "localhost")
            }
            let alternatives = SubjectAlternativeNames(wanted.sorted().map { name in
                if let address = ipAddressBytes(name) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))) }
                return .dnsName(name)
            })
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86400),
                issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                    try ExtendedKeyUsage([.serverAuth])
                    alternatives
                },
                issuerPrivateKey: .init(key))
            pem = try certificate.serializeAsPEM().pemString
        } catch {
            throw ViewerError.certificate("cannot make a self-signed certificate: \(error)")
        }
        // The key first, the certificate last: a certificate on disk always has its key.
        try writePrivately(key.pemRepresentation, to: keyPath)
        try writePrivately(pem, to: certificatePath)
        return ViewerCertificate(certificateChainFile: certificatePath, privateKeyFile: keyPath)
    }

    /// The server TLS configuration (TLS 1.2 or later) with this certificate and key.
    func tlsConfiguration() throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateChainFile).map { NIOSSLCertificateSource.certificate($0) }
            guard !chain.isEmpty else { throw ViewerError.certificate("\(certificateChainFile) holds no certificate") }
            let key = try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            return configuration
        } catch let error as ViewerError {
            throw error
        } catch {
            throw ViewerError.certificate("cannot load \(certificateChainFile) and \(privateKeyFile): \(error)")
        }
    }

    private static func text(_ name: GeneralName) -> String? {
        switch name {
        case .dnsName(let name): return name
        case .ipAddress(let bytes):
            let raw = Array(bytes.bytes)
            var buffer = [CChar](repeating: 0, count: 64)
            let family = raw.count == 4 ? AF_INET : raw.count == 16 ? AF_INET6 : -1
            guard family >= 0, inet_ntop(family, raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        default: return nil
        }
    }
}

/// Makes `directory` (mode 0700) when missing.
func makeDirectory(_ directory: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
        throw ViewerError.configuration("cannot create the directory \(directory): \(error.localizedDescription)")
    }
}

/// Writes `text` to `path` with mode 0600, atomically (a temporary file renamed).
func writePrivately(_ text: String, to path: String) throws {
    let temporary = path + ".\(UUID().uuidString).tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw ViewerError.certificate("cannot create \(temporary): \(String(cString: strerror(errno)))") }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    let synced = fsync(descriptor)
    close(descriptor)
    guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw ViewerError.certificate("cannot write \(path): \(reason)")
    }
}

/// The 4 or 16 bytes of an IPv4 or IPv6 address in text form, or nil for a name.
func ipAddressBytes(_ text: String) -> [UInt8]? {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
    return nil
}
