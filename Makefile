# make site: install what is missing, build the tool and the example site into dist/.
# make test: run the whole test suite.

.PHONY: site test deps tool clean

site: deps
	swift run site build

deps:
	./scripts/install-system-packages

tool: deps
	swift build --product site

test:
	swift test

clean:
	rm -rf .build dist
