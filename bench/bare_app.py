"""The baseline every HTTP benchmark compares against: a bare Flask JSON endpoint."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/hello")
def hello():
    return jsonify(hello="world")
