"""`policykb` command line. Commands are split by group; each is a thin skin over
`policykb.service.KnowledgeBase`. Heavy libraries load inside commands, so `--help` is
instant."""
from __future__ import annotations

import click

from policykb import __version__


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or its help is shown)."""

    COMMANDS = {
        "ingest": ("policykb.cli.ingest", "ingest"),
        "search": ("policykb.cli.query", "search"),
        "ask": ("policykb.cli.query", "ask"),
        "verify": ("policykb.cli.verify", "verify"),
        "eval": ("policykb.cli.evaluate", "evaluate"),
        "docs": ("policykb.cli.docs", "docs"),
        "compare": ("policykb.cli.compare", "compare"),
        "digest": ("policykb.cli.digest", "digest"),
        "digest-layout": ("policykb.cli.digest_layout", "digest_layout"),
        "excerpts": ("policykb.cli.excerpts", "excerpts"),
        "serve": ("policykb.cli.serve", "serve"),
        "status": ("policykb.cli.status", "status"),
        "stats": ("policykb.cli.status", "stats"),
        "reindex": ("policykb.cli.status", "reindex"),
        "embed": ("policykb.cli.status", "embed"),
        "config": ("policykb.cli.status", "config"),
        "doctor": ("policykb.cli.doctor", "doctor"),
        "users": ("policykb.cli.access", "users"),
        "keys": ("policykb.cli.access", "keys"),
        "audit": ("policykb.cli.access", "audit"),
    }
    HELP = {
        "ingest": "导入文件或文件夹（pdf、docx、txt、md、html）",
        "search": "检索段落（关键词 + 语义混合检索）",
        "ask": "提问，返回带引用的答案",
        "verify": "核对文稿中的引文（三审三校）：一致 / 有出入 / 未找到",
        "eval": "用自己的问题集评测检索与回答",
        "docs": "文档管理：list / show / delete / validity",
        "compare": "新旧对照：逐条比较两个版本，可导出对照表 .docx",
        "digest": "编制季度《政策解读汇编》（.docx / .md）",
        "digest-layout": "汇编编排：移动文件、重命名与排序分组（重新生成时保留）",
        "excerpts": "编制论述摘编：某一主题的重要论述，注明出处（.docx / .md / JSON）",
        "serve": "启动 HTTP 服务与网页",
        "status": "向量化进度与服务状态",
        "stats": "知识库统计",
        "reindex": "从登记库重建向量索引",
        "embed": "计算等待中的向量（ingest --no-wait 之后）",
        "config": "显示当前配置",
        "doctor": "检查配置与大模型服务是否可用",
        "users": "账户管理：create / list / set / passwd（第一个管理员在此创建）",
        "keys": "访问密钥：create / list / revoke",
        "audit": "审计记录：谁在何时做了什么",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.COMMANDS) | set(super().list_commands(ctx)))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.COMMANDS:
            import importlib

            module, attr = self.COMMANDS[name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["policykb.argv"] = list(args)  # for the audit trail (policykb.cli.access)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        code = 1
        try:
            result = super().invoke(ctx)
            code = 0
            return result
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            raise
        finally:
            from policykb.cli.access import record_command

            record_command(ctx.meta.get("policykb.argv", []), code)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.HELP.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("命令"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policykb")
def main() -> None:
    """政策知识库：政策文件与讲话的检索和带引用问答。

    数据目录由环境变量 POLICYKB_HOME 指定（默认 ~/.policykb）。
    """
