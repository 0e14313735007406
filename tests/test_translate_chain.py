"""The configured engine first, the gloss behind it: which engines an article is offered to."""

from translate import EngineChain, translate_article


class Engine:
    def __init__(self, name, fail=False):
        self.engine, self.model, self.fail = name, name + "-model", fail

    def translate(self, sentences):
        if self.fail:
            raise RuntimeError(f"{self.engine} is down")
        return [f"<{self.engine}:{s}>" for s in sentences]


def test_gloss_is_built_only_when_reached_and_only_once():
    built = []

    def load_gloss():
        built.append(1)
        return Engine("gloss")

    chain = EngineChain(Engine("llm"), load_gloss)
    attempts = chain.attempts()
    assert next(attempts).engine == "llm" and built == []
    assert next(attempts).engine == "gloss" and next(iter(chain.attempts())).engine == "llm"
    assert [e.engine for e in chain.attempts()] == ["llm", "gloss"] and built == [1]


def test_a_configured_gloss_is_not_offered_twice():
    gloss = Engine("gloss")
    chain = EngineChain(gloss, lambda: Engine("second gloss"))
    assert list(chain.attempts()) == [gloss] and chain.is_last(gloss) and not chain.failed(gloss)


def test_an_unloadable_engine_leaves_the_gloss():
    chain = EngineChain(None, lambda: Engine("gloss"))
    assert [e.engine for e in chain.attempts()] == ["gloss"]


def test_the_configured_engine_is_given_up_after_failures_in_a_row():
    llm = Engine("llm", fail=True)
    chain = EngineChain(llm, lambda: Engine("gloss"), give_up=3)
    assert not chain.failed(llm) and not chain.failed(llm)
    chain.succeeded(llm)  # a success resets the count
    assert [chain.failed(llm) for _ in range(3)] == [False, False, True]
    assert [e.engine for e in chain.attempts()] == ["gloss"]


class Forgetful(Engine):
    def translate(self, sentences):
        return ["platforms are built" for _ in sentences]


def test_translate_article_checks_what_it_translated():
    english = translate_article(Forgetful("x"), "2027年建成20个平台", None)
    assert english.body_en is None and english.title_en == "platforms are built"
    assert {"2027", "20"} <= set(english.missing)
    assert translate_article(Engine("x"), "2027年建成20个平台", None).missing == []
    with_body = translate_article(Engine("x"), "标题", "第一段。\n第二段。")
    assert with_body.body_en.count("\n") == 1 and with_body.stats.misses == 3
