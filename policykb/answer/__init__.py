"""Answering from retrieved passages: the offline extractive answerer and the relevance
gate that decides between an answer and "知识库中未找到相关内容"."""
