# Sourced by the fetch scripts: apt with a private sources list, lists, cache and an empty dpkg
# status, so packages of other Debian suites can be downloaded (and then only unpacked with
# `dpkg -x`) without touching the system's apt state or installing anything over it.
#   private_apt_init <state dir>     sets apt_opts for that dir
#   private_apt_update <suite>...    private lists for those suites, from the system's mirror
#   suite_version <package> <suite>  the package's Debian version in that suite, from those lists

# A field of the mirror entry the system already trusts (deb822 sources), or nothing.
sources_field() {
  local f=/etc/apt/sources.list.d/debian.sources
  [[ -r $f ]] && awk -v k="$1:" '$1 == k && $2 !~ /security/ { print $2; exit }' "$f"
  return 0
}

private_apt_init() {
  private_apt_dir="$1"
  apt_opts=(
    -o "Dir::Etc::SourceList=$private_apt_dir/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::Preferences=/dev/null"
    -o "Dir::Etc::PreferencesParts=/dev/null"
    -o "Dir::State::Lists=$private_apt_dir/lists"
    -o "Dir::State::Status=$private_apt_dir/status"
    -o "Dir::Cache=$private_apt_dir/cache"
    -o "Debug::NoLocking=1"
    # The download dir is inside the repo, which _apt may not be able to write.
    -o "APT::Sandbox::User=root"
  )
}

# Debian's defaults stand in for machines that still use the one-line sources format.
private_apt_update() {
  local uri key s
  uri="$(sources_field URIs)"; uri="${uri:-http://deb.debian.org/debian}"
  key="$(sources_field Signed-By)"; key="${key:-/usr/share/keyrings/debian-archive-keyring.gpg}"
  mkdir -p "$private_apt_dir/lists/partial" "$private_apt_dir/cache/archives/partial"
  : >"$private_apt_dir/status"
  for s in "$@"; do echo "deb [signed-by=$key] $uri $s main"; done >"$private_apt_dir/sources.list"
  echo "apt-get update (private lists: $* from $uri)" >&2
  apt-get -qq "${apt_opts[@]}" update >/dev/null
}

suite_version() {
  apt-cache "${apt_opts[@]}" madison "$1" | awk -F'|' -v s=" $2/" 'index($3, s) { gsub(/ /, "", $2); print $2; exit }'
}
