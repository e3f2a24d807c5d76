"""Build settings and the profile transition every wasm rule applies."""

load("//platforms:profiles.bzl", "PROFILES")

ProfileInfo = provider(doc = "The active host profile.", fields = {"name": "str: a key of PROFILES."})

def _profile_flag_impl(ctx):
    if ctx.build_setting_value not in PROFILES:
        fail("{}: unknown profile `{}`; expected one of: {}".format(
            ctx.label,
            ctx.build_setting_value,
            ", ".join(sorted(PROFILES.keys())),
        ))
    return [ProfileInfo(name = ctx.build_setting_value)]

profile_flag = rule(
    implementation = _profile_flag_impl,
    doc = "The host profile wasm targets build for unless they set `profile` themselves (`--config=<profile>` sets it).",
    build_setting = config.string(flag = True),
)

BoolFlagInfo = provider(doc = "A boolean build setting's value.", fields = {"value": "bool"})

def _bool_flag_impl(ctx):
    return [BoolFlagInfo(value = ctx.build_setting_value)]

bool_flag = rule(
    implementation = _bool_flag_impl,
    doc = "A boolean command-line build setting (`--//pkg:name`, `--no//pkg:name`).",
    build_setting = config.bool(flag = True),
)

_PROFILE_FLAG = "//platforms:profile"
_PLATFORMS = "//command_line_option:platforms"

def _profile_transition_impl(settings, attr):
    profile = getattr(attr, "profile", "") or settings[_PROFILE_FLAG]
    if profile not in PROFILES:
        fail("unknown profile `{}`; expected one of: {}".format(profile, ", ".join(sorted(PROFILES.keys()))))
    return {
        _PLATFORMS: "//platforms:" + profile,
        _PROFILE_FLAG: profile,
    }

# Puts a target (and, through the configuration, its whole dependency graph)
# on its profile's platform, so `bazel build //...` works from the host
# platform and toolchain resolution always picks the profile's toolchain.
profile_transition = transition(
    implementation = _profile_transition_impl,
    inputs = [_PROFILE_FLAG],
    outputs = [_PLATFORMS, _PROFILE_FLAG],
)

def build_mode(ctx):
    """`release` under `--compilation_mode=opt` (`--config=release`), else `dev`."""
    return "release" if ctx.var["COMPILATION_MODE"] == "opt" else "dev"
