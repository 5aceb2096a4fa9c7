"""The browser understands and applies the Permissions-Policy the site sends."""

from tmsinfo.security import PERMISSIONS_POLICY


def test_chromium_knows_every_feature_the_policy_switches_off_and_applies_it(page, live_content):
    page.goto("/")
    features = [item.split("=")[0].strip() for item in PERMISSIONS_POLICY.split(",")]
    supported = page.evaluate("document.featurePolicy.features()")
    assert [f for f in features if f not in supported] == []
    allowed = page.evaluate("fs => fs.filter(f => document.featurePolicy.allowsFeature(f))", features)
    assert allowed == []
