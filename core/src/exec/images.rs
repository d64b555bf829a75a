//! What an image starts with: its files, and which tools (and so which error messages) it has.

use crate::files::Fs;
use crate::time::SimTime;

/// The userland of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Debian-based (nginx, redis, postgres, httpd, ubuntu…): GNU coreutils, `dash` as `/bin/sh`,
    /// `bash`, `curl` in nginx images.
    Debian,
    /// busybox and alpine images: BusyBox applets and `ash`; no `bash`, no `curl`.
    Busybox,
}

/// The repository's last component and the tag of an image reference.
fn name_and_tag(image: &str) -> (String, String) {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    match last.split_once(':') {
        Some((n, t)) => (n.to_ascii_lowercase(), t.to_ascii_lowercase()),
        None => (last.to_ascii_lowercase(), "latest".into()),
    }
}

pub fn flavour(image: &str) -> Flavour {
    let (name, tag) = name_and_tag(image);
    if name == "busybox" || name == "alpine" || tag.contains("alpine") {
        Flavour::Busybox
    } else {
        Flavour::Debian
    }
}

/// Whether the image runs nginx on port 80; `Some(version)` for its error pages' footer
/// (`nginx/1.25.3`, or just `nginx` when the tag names no full version).
pub fn nginx_version(image: &str) -> Option<String> {
    let (name, tag) = name_and_tag(image);
    if !name.starts_with("nginx") {
        return None;
    }
    let version = tag.split('-').next().unwrap_or("");
    let parts: Vec<&str> = version.split('.').collect();
    let full = name == "nginx"
        && parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    Some(if full {
        format!("nginx/{version}")
    } else {
        "nginx".into()
    })
}

/// Whether `curl` is installed.
pub fn has_curl(image: &str) -> bool {
    nginx_version(image).is_some() || flavour(image) == Flavour::Debian
}

pub const NGINX_INDEX: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

const NGINX_50X: &str = "<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then please check
the <a href=\"http://nginx.org/r/error_log\">error log</a> for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
";

const NGINX_DEFAULT_CONF: &str = "server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
";

/// nginx's built-in page for an HTTP status (`ngx_http_error_pages`).
pub fn nginx_error_page(status: &str, server: &str) -> String {
    format!(
        "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n<center><h1>{status}</h1></center>\r\n<hr><center>{server}</center>\r\n</body>\r\n</html>\r\n"
    )
}

const DEBIAN_DIRS: &[&str] = &[
    "/bin/",
    "/boot/",
    "/dev/",
    "/etc/",
    "/home/",
    "/lib/",
    "/media/",
    "/mnt/",
    "/opt/",
    "/proc/",
    "/root/",
    "/run/",
    "/sbin/",
    "/srv/",
    "/sys/",
    "/tmp/",
    "/usr/bin/",
    "/usr/lib/",
    "/usr/local/",
    "/usr/sbin/",
    "/usr/share/",
    "/var/cache/",
    "/var/lib/",
    "/var/log/",
];

const BUSYBOX_DIRS: &[&str] = &[
    "/bin/",
    "/dev/",
    "/etc/",
    "/home/",
    "/lib/",
    "/proc/",
    "/root/",
    "/sys/",
    "/tmp/",
    "/usr/sbin/",
    "/var/spool/",
    "/var/www/",
];

/// The files of a fresh container: the image's, plus what the kubelet puts in every pod
/// (`/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`).
pub fn initial_files(image: &str, hostname: &str, hosts_line: &str, ns: &str) -> Fs {
    let hosts = format!(
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{hosts_line}\n"
    );
    let resolv = format!(
        "search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
    let hostname = format!("{hostname}\n");
    let mut files: Vec<(&str, &str)> = vec![
        ("/etc/hostname", &hostname),
        ("/etc/hosts", &hosts),
        ("/etc/resolv.conf", &resolv),
    ];
    match flavour(image) {
        Flavour::Debian => {
            files.extend(DEBIAN_DIRS.iter().map(|d| (*d, "")));
            files.push(("/etc/debian_version", "12.11\n"));
            files.push((
                "/etc/os-release",
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n",
            ));
            files.push(("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nnginx:x:101:101:nginx user:/nonexistent:/bin/false\n"));
        }
        Flavour::Busybox => {
            files.extend(BUSYBOX_DIRS.iter().map(|d| (*d, "")));
            files.push((
                "/etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n",
            ));
            files.push(("/etc/group", "root:x:0:\nnobody:x:65534:\n"));
        }
    }
    if nginx_version(image).is_some() {
        files.push(("/usr/share/nginx/html/index.html", NGINX_INDEX));
        files.push(("/usr/share/nginx/html/50x.html", NGINX_50X));
        files.push(("/etc/nginx/conf.d/default.conf", NGINX_DEFAULT_CONF));
        files.push(("/var/log/nginx/", ""));
        files.push(("/docker-entrypoint.d/", ""));
    }
    Fs::from_files(&files, SimTime(0))
}
