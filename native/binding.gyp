{
  "targets": [
    {
      "target_name": "sys",
      "sources": [
        "src/addon.c",
        "src/errors.c",
        "src/process.c",
        "src/fds.c",
        "src/receive-fd.c",
        "src/eventfd-watch.c",
        "src/mounts.c",
        "src/flock.c",
        "src/idmap-mount.c",
        "src/userns-fd.c",
        "src/netns-thread.c",
        "src/userns-mappings.c"
      ],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fvisibility=hidden"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
