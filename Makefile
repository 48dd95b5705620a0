# make site: install what is missing, build the tool and the example site into dist/.
# make lint: swift-format's check of every Swift file against .swift-format (no file to change, every
# public declaration documented, no force unwraps).
# make test: run the whole test suite: the lint, Swift tests, the deploy and publish scripts against a local AWS
# emulator, the theme checks (W3C validator, axe-core), the preview in headless Chromium, and
# site verify against the preview and against servers that answer wrongly.

.PHONY: site test lint deps tool infra clean

site: deps
	swift run site build

deps:
	./scripts/install-system-packages

tool: deps
	swift build --product site

infra:
	swift run site plan-infra

lint:
	swift format lint --strict --configuration .swift-format --recursive Sources Tests Package.swift

test: lint
	swift test
	./scripts/test-deploy-on-moto infra
	./scripts/test-publish-on-moto
	./scripts/check-theme
	./scripts/browser-test-serve
	./scripts/test-verify

clean:
	rm -rf .build dist
