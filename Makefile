# make site: install what is missing, build the tool and the example site into dist/.
# make test: run the whole test suite: Swift tests, the deploy and publish scripts against a local AWS
# emulator, the theme checks (W3C validator, axe-core) and the preview in headless Chromium.

.PHONY: site test deps tool infra clean

site: deps
	swift run site build

deps:
	./scripts/install-system-packages

tool: deps
	swift build --product site

infra:
	swift run site plan-infra

test:
	swift test
	./scripts/test-deploy-on-moto infra
	./scripts/test-publish-on-moto
	./scripts/check-theme
	./scripts/browser-test-serve

clean:
	rm -rf .build dist
