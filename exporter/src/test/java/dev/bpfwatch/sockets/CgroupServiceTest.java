package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CgroupServiceTest {
    private static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            "/system.slice/nginx.service                                   | nginx.service      | NONE",
            "/system.slice/nginx.service/worker                            | nginx.service      | NONE",
            "/user.slice/user-0.slice/user@0.service/app.slice/x.service   | x.service          | NONE",
            "/user.slice/user-0.slice/session-3.scope                      | NONE               | NONE",
            "/                                                             | NONE               | NONE",
            "/system.slice/docker-" + ID + ".scope                         | NONE               | " + ID,
            "/docker/" + ID + "                                            | NONE               | " + ID,
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice/cri-containerd-" + ID
                    + ".scope                                              | NONE               | " + ID,
            "/kubepods/burstable/pod1234-5678/" + ID + "                   | NONE               | " + ID,
            "/machine.slice/libpod-" + ID + ".scope/container              | NONE               | " + ID,
            "/kubepods.slice/crio-" + ID + ".scope                         | NONE               | " + ID,
            "/system.slice/containerd.service                              | containerd.service | NONE",
    })
    void serviceAndContainerFromThePath(String path, String service, String container) {
        assertEquals(service == null ? "" : service, CgroupService.service(path.strip()));
        assertEquals(container == null ? "" : container, CgroupService.container(path.strip()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0::/system.slice/ssh.service\\n| /system.slice/ssh.service",
            "12:memory:/x\\n0::/a.service\\n | /a.service",
            "12:memory:/x\\n                 | ''",
    })
    void pathIsTheCgroupV2Line(String file, String path) {
        assertEquals(path, CgroupService.pathFromProcCgroup(file.replace("\\n", "\n")));
    }
}
