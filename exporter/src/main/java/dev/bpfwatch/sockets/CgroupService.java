package dev.bpfwatch.sockets;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a cgroup v2 path says about the application in it: its systemd
 * unit, or the container it runs in. Paths look like
 * /system.slice/nginx.service, /system.slice/docker-ID.scope,
 * /kubepods.slice/.../cri-containerd-ID.scope, /kubepods/burstable/podUID/ID,
 * /docker/ID, /machine.slice/libpod-ID.scope.
 */
public final class CgroupService {
    // A container id is 64 hex digits in every runtime bpfwatch knows.
    private static final Pattern CONTAINER = Pattern.compile(
            "(?:^|/)(?:docker-|cri-containerd-|crio-|libpod-|containerd-)?([0-9a-f]{64})(?:\\.scope)?(?:/|$)");
    private static final Pattern SERVICE = Pattern.compile("(?:^|/)([^/]+\\.service)(?:/|$)");

    private CgroupService() {
    }

    /** The container id (64 hex digits) in the path, or "". */
    public static String container(String cgroupPath) {
        Matcher m = CONTAINER.matcher(cgroupPath);
        String id = "";
        while (m.find()) {
            id = m.group(1); // the innermost wins: a container's own cgroup is below its pod's
        }
        return id;
    }

    /** The innermost systemd service unit in the path, or "". */
    public static String service(String cgroupPath) {
        Matcher m = SERVICE.matcher(cgroupPath);
        String unit = "";
        int from = 0;
        while (m.find(from)) {
            unit = m.group(1);
            from = m.end(1);
        }
        return unit;
    }

    /** The cgroup v2 path from the contents of /proc/PID/cgroup (its "0::" line), or "". */
    public static String pathFromProcCgroup(String procCgroup) {
        for (String line : procCgroup.split("\n")) {
            if (line.startsWith("0::")) {
                return line.substring(3).strip();
            }
        }
        return "";
    }
}
