# make site: install what is missing, build the tool and the example site into dist/staging/.
# make lint: swift-format's check of every Swift file against .swift-format (no file to change, every
# public declaration documented, no force unwraps).
# make test: run the whole test suite: the lint, zizmor's security lint of the GitHub Actions workflows
# (scripts/lint-workflows: pinned actions, no persisted credentials, least privilege, no untrusted
# input in scripts), Swift tests, the deploy and publish scripts against a local AWS emulator (one
# environment, then two side by side), the theme checks (W3C validator, axe-core), the preview in
# headless Chromium, site verify against the preview and against servers that answer wrongly, and
# the backend's values as pydantic-settings, python-dotenv, Node and a shell read them.

.PHONY: site test lint deps tool infra clean

site: deps
	swift run site build

deps:
	./scripts/install-system-packages

tool: deps
	swift build --product site

infra:
	for env in staging production preview-1 preview-2; do swift run site plan-infra --env $$env || exit 1; done

lint:
	swift format lint --strict --configuration .swift-format --recursive Sources Tests Package.swift

test: lint
	./scripts/lint-workflows
	swift test
	./scripts/test-deploy-on-moto infra/staging
	./scripts/test-publish-on-moto
	./scripts/test-environments-on-moto
	./scripts/check-theme
	./scripts/browser-test-serve
	./scripts/test-verify
	./scripts/test-backend-readers

clean:
	rm -rf .build dist
