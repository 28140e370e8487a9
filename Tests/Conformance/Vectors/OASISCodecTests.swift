// Every OASIS test-case file of KMIP 1.0 to 2.1 (and the 3.0 drafts that use only 1.x/2.x
// item types) round-trips XML -> tree -> XML, tree -> TTLV -> tree and tree -> JSON -> tree.

import Foundation
import Testing
import KMIPVectorCheck
import KMIPXML

@Suite("OASIS test-case vectors, codec level")
struct OASISCodecTests {
    static let files: [String] = {
        let root = Repository.url("Vectors/oasis-xml").path
        let enumerator = FileManager.default.enumerator(atPath: root)
        return (enumerator?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".xml") }.sorted().map { "oasis-xml/" + $0 }
    }()

    static let knownFailures = (try? KnownFailures(contentsOf: Repository.url("Vectors/known-failures.txt"))) ?? KnownFailures()

    @Test("all 317 files are present and the known-failures list reads")
    func inventory() throws {
        #expect(Self.files.count == 317)
        let list = try KnownFailures(contentsOf: Repository.url("Vectors/known-failures.txt"))
        for entry in list.entries {
            #expect(FileManager.default.fileExists(atPath: Repository.url("Vectors/" + entry.path).path), "\(entry.path) is listed but missing")
        }
    }

    @Test("round-trips every way, or fails as listed", arguments: files)
    func roundTrip(_ path: String) throws {
        let data = try [UInt8](Data(contentsOf: Repository.url("Vectors/" + path)))
        let failure = CodecCheck().failure(forXML: data)
        if let reason = Self.knownFailures.reason(for: path, check: "codec") {
            #expect(failure != nil, "listed as a known failure (\(reason)) but passes")
        } else {
            #expect(failure == nil, "\(failure ?? "")")
        }
    }

    @Test("every file of KMIP 1.0 to 2.1 passes; only 3.0 drafts are listed")
    func onlyDraftsFail() {
        for entry in Self.knownFailures.entries where entry.check == "codec" {
            #expect(entry.path.hasPrefix("oasis-xml/3.0/"), "\(entry.path)")
        }
    }
}
