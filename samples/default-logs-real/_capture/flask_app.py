# The flask service (served by gunicorn). STALE=1 is the old image: GET /api/users/<id>/avatar only.
import os
from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/api/orders/<int:oid>", methods=["GET", "PUT"])
def order(oid):
    return jsonify(id=oid, status="open", items=[1, 2, 3])


@app.route("/api/orders", methods=["POST"])
def create_order():
    return jsonify(id=1), 201


@app.route("/accounts/<int:aid>", methods=["GET"])
def account(aid):
    return jsonify(id=aid, plan="pro")


@app.route("/api/users/<int:uid>/avatar", methods=["GET"] if os.environ.get("STALE") == "1" else ["GET", "PUT"])
def avatar(uid):
    return jsonify(ok=True)
