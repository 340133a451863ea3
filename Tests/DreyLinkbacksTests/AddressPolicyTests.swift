import DreyFetch
import Foundation
import Testing

@Suite struct AddressPolicyTests {
    @Test("addresses inside the network are refused, in every IPv4 and IPv6 form")
    func refused() throws {
        let inside = [
            "127.0.0.1", "127.255.255.254", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "::1", "::",
            "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
            "::127.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::", "2001:db8::1", "fec0::1",
        ]
        for text in inside {
            let address = try #require(IPAddress(text), "\(text)")
            #expect(!AddressPolicy.isPublic(address), "\(text) should be refused")
        }
    }

    @Test("public addresses pass, also when carried in an IPv6 form")
    func allowed() throws {
        for text in ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"] {
            let address = try #require(IPAddress(text), "\(text)")
            #expect(AddressPolicy.isPublic(address), "\(text) should pass")
        }
    }

    @Test("CIDR ranges and host names allow what an operator names, and nothing next to it")
    func allowList() throws {
        let list = FetchAllowList(["127.0.0.0/8", "fixture.test", "fd00::/8"])
        #expect(list.allows(host: "anything", address: try #require(IPAddress("127.9.9.9"))))
        #expect(!list.allows(host: "anything", address: try #require(IPAddress("128.0.0.1"))))
        #expect(list.allows(host: "FIXTURE.test", address: try #require(IPAddress("10.0.0.1"))))
        #expect(list.allows(host: "x", address: try #require(IPAddress("fdff::1"))))
        #expect(!list.allows(host: "x", address: try #require(IPAddress("fe00::1"))))
        #expect(FetchAllowList.problem(with: "10.0.0.0/8") == nil)
        #expect(FetchAllowList.problem(with: "intranet.example") == nil)
        #expect(FetchAllowList.problem(with: "10.0.0.0/99") != nil)
        #expect(FetchAllowList.problem(with: "http://x") != nil)
        #expect(IPAddress("[::ffff:127.0.0.1]")?.embeddedIPv4 == IPAddress("127.0.0.1"))
        #expect(IPAddress("not an address") == nil)
    }
}
