package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InetTextTest {
    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, 127.0.0.1",
            "0.0.0.0, 0.0.0.0",
            "::1, ::1",
            "::, ::",
            "fe80:0:0:0:0:0:0:1, fe80::1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:db8:1:1:1:1:1:1, 2001:db8:1:1:1:1:1:1",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    })
    void shortestForm(String in, String out) throws Exception {
        byte[] raw = InetAddress.getByName(in).getAddress();
        assertEquals(out, InetText.of(InetAddress.getByAddress(raw)));
    }
}
