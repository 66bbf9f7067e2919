# Sourced by ./distil4j and scripts/test: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME if new enough, then `java` on the PATH, then the newest JDK under /usr/lib/jvm.
# Each candidate's version comes from the JDK's `release` file, so the lookup starts no JVM
# (it used to start one per candidate: ~0.3 s each, 1.2-2 s per command).

distil4j_java_major() {  # prints the feature version of the java binary $1, or 0
  local release="${1%/bin/java}/release" line version=""
  if [ -f "$release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) version="${line#JAVA_VERSION=}"; version="${version//\"/}"; break ;; esac
    done < "$release"
  fi
  if [ -z "$version" ]; then  # no release file (an unusual layout): ask the JVM itself
    version=$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  fi
  version="${version%%[!0-9.]*}"    # "25.0.3", "21", "1.8.0_402" -> "1.8.0"
  local major="${version%%.*}"
  [ "$major" = 1 ] && { major="${version#1.}"; major="${major%%.*}"; }
  echo "${major:-0}"
}

distil4j_find_jdk() {
  local candidates=() home
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for home in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${home%/}"); done
  for home in "${candidates[@]}"; do
    if [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] &&
       [ "$(distil4j_java_major "$home/bin/java")" -ge 21 ]; then
      echo "$home"; return 0
    fi
  done
  return 1
}

if ! DISTIL4J_JDK=$(distil4j_find_jdk); then
  echo "distil4j: no JDK 21 or newer found (looked at JAVA_HOME, the PATH and /usr/lib/jvm)." >&2
  echo "distil4j: install one (e.g. apt-get install openjdk-21-jdk) or set JAVA_HOME." >&2
  exit 1
fi
export JAVA_HOME="$DISTIL4J_JDK"

# Maven's bundled Guava touches sun.misc.Unsafe, which JDK 24+ warns about on every build.
if [ "$(distil4j_java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
  case " ${MAVEN_OPTS:-} " in
    *sun-misc-unsafe-memory-access*) ;;
    *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
  esac
fi
